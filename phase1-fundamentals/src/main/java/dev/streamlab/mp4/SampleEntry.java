package dev.streamlab.mp4;

import java.nio.ByteBuffer;

/**
 * The first entry of a track's {@code stsd}: which codec, with what parameters.
 *
 * <p>Box Type {@code stsd} (Container {@code stbl}, Mandatory, exactly one) holds one or more sample entries; a
 * file whose samples switch entries mid-track is legal but rare, and {@link SampleTable} records the index only
 * for the first one, which is what browsers and this project support.
 *
 * @param format     the entry's FourCC ({@code avc1}, {@code mp4a}, ...)
 * @param codec      RFC 6381 codecs string, e.g. {@code avc1.64001e}; the bare FourCC for formats not decoded here
 * @param width      coded width in pixels (video; 0 otherwise)
 * @param height     coded height in pixels (video; 0 otherwise)
 * @param channels   channel count (audio; 0 otherwise)
 * @param sampleRate samples per second (audio; 0 otherwise)
 * @param entry      the whole sample-entry box (header included) as a read-only view into the mapped {@code moov};
 *                   phase 3 copies it verbatim into a fragmented MP4's init segment
 */
public record SampleEntry(int format, String codec, int width, int height, int channels, int sampleRate,
                          ByteBuffer entry) {
    public SampleEntry {
        entry = entry.asReadOnlyBuffer();
    }

    @Override
    public ByteBuffer entry() {
        return entry.duplicate();
    }

    public String formatName() {
        return FourCC.toString(format);
    }
}
