package dev.streamlab.mp4;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * Reads the first sample entry of an {@code stsd} box (ISO/IEC 14496-12 §8.5.2) and names its codec.
 * <pre>
 *   VisualSampleEntry: 6 reserved, data_reference_index(16), 16 bytes pre_defined/reserved, width(16), height(16),
 *                      resolutions, frame_count, compressorname[32], depth, pre_defined  = 78 bytes, then boxes
 *   AudioSampleEntry : 6 reserved, data_reference_index(16), version(16) + 6 reserved, channelcount(16),
 *                      samplesize(16), 4 reserved, samplerate(16.16)                    = 28 bytes, then boxes
 *                      (QuickTime sound description version 1 adds 16 bytes, version 2 adds 36)
 * </pre>
 */
final class SampleEntries {
    private static final int VISUAL_PREAMBLE = 78;
    private static final int AUDIO_PREAMBLE = 28;

    private SampleEntries() {}

    static SampleEntry first(Box stsd) throws Mp4FormatException {
        PayloadReader r = stsd.reader();
        r.fullBoxVersion(1);
        long count = r.u32("entry_count");
        if (count == 0) throw r.error("stsd has no sample entry: the codec is unknown");
        var entries = stsd.childrenAfter(8);
        if (entries.isEmpty()) throw r.error("stsd announces " + count + " entries but holds none");
        Box e = entries.getFirst();
        int format = e.type();
        ByteBuffer whole = e.bytes();
        if (isVisual(format)) return visual(e, format, whole);
        if (isAudio(format)) return audio(e, format, whole);
        return new SampleEntry(format, FourCC.toString(format), 0, 0, 0, 0, whole);
    }

    private static boolean isVisual(int f) {
        return f == FourCC.AVC1 || f == FourCC.AVC3 || f == FourCC.HVC1 || f == FourCC.HEV1 || f == FourCC.VP09
                || f == FourCC.AV01;
    }

    private static boolean isAudio(int f) {
        return f == FourCC.MP4A || f == FourCC.OPUS || f == FourCC.FLAC;
    }

    private static SampleEntry visual(Box e, int format, ByteBuffer whole) throws Mp4FormatException {
        PayloadReader r = e.reader();
        r.skip(24, "reserved/pre_defined");
        int width = r.u16("width");
        int height = r.u16("height");
        var children = e.childrenAfter(VISUAL_PREAMBLE);
        String codec;
        if (format == FourCC.AVC1 || format == FourCC.AVC3) {
            codec = Codecs.avc(format, find(e, children, FourCC.AVCC));
        } else if (format == FourCC.HVC1 || format == FourCC.HEV1) {
            codec = Codecs.hevc(format, find(e, children, FourCC.HVCC));
        } else if (format == FourCC.VP09) {
            codec = Codecs.vp9(find(e, children, FourCC.VPCC));
        } else {
            codec = Codecs.av1(find(e, children, FourCC.AV1C));
        }
        return new SampleEntry(format, codec, width, height, 0, 0, whole);
    }

    private static SampleEntry audio(Box e, int format, ByteBuffer whole) throws Mp4FormatException {
        PayloadReader r = e.reader();
        r.skip(8, "reserved/data_reference_index");
        int version = r.u16("sound version");
        r.skip(6, "revision/vendor");
        int channels = r.u16("channelcount");
        r.u16("samplesize");
        r.skip(4, "pre_defined/reserved");
        int rate = (int) (r.u32("samplerate") >>> 16);
        int extra = switch (version) {
            case 0 -> 0;
            case 1 -> 16;
            case 2 -> 36;
            default -> throw r.error("unknown sound sample description version " + version);
        };
        var children = e.childrenAfter(AUDIO_PREAMBLE + extra);
        String codec;
        if (format == FourCC.MP4A) {
            Box esds = null;
            for (Box c : children) {
                if (c.type() == FourCC.ESDS) esds = c;
                // QuickTime nests esds inside a 'wave' box.
                if (c.type() == FourCC.WAVE && esds == null) esds = c.child(FourCC.ESDS).orElse(null);
            }
            if (esds == null) throw new Mp4FormatException(e.path(), e.offset(), "mp4a entry has no esds box");
            Codecs.Mp4a config = Codecs.mp4a(esds);
            codec = config.codec();
            if (config.channels() > 0) channels = config.channels();
        } else {
            codec = format == FourCC.OPUS ? "opus" : "flac";
        }
        return new SampleEntry(format, codec, 0, 0, channels, rate, whole);
    }

    private static Box find(Box entry, List<Box> children, int type) throws Mp4FormatException {
        for (Box c : children) if (c.type() == type) return c;
        throw new Mp4FormatException(entry.path(), entry.offset(), entry.header().typeName() + " entry has no "
                + FourCC.toString(type) + " decoder configuration box");
    }
}
