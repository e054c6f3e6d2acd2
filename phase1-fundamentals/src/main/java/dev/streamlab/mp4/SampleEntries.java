package dev.streamlab.mp4;

import java.io.IOException;
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
 * Codecs this class knows (the ones MSE plays in MP4) get their RFC 6381 string from their configuration box.
 * Any other entry of a video or audio track ({@code mp4v}, {@code ac-3}, {@code alac}, QuickTime PCM such as
 * {@code sowt}...) is named by its FourCC, but its dimensions, channels and rate are still read from the preamble
 * every visual or audio sample entry shares, as ffprobe reports them.
 */
final class SampleEntries {
    private static final int VISUAL_PREAMBLE = 78;
    private static final int AUDIO_PREAMBLE = 28;

    private SampleEntries() {}

    /** @param kind the track's kind (from {@code hdlr}): how to read an entry whose format is not known here */
    static SampleEntry first(Box stsd, TrackKind kind) throws Mp4FormatException {
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
        if (kind == TrackKind.VIDEO || kind == TrackKind.AUDIO) {
            try {
                return kind == TrackKind.VIDEO ? visual(e, format, whole) : audio(e, format, whole);
            } catch (Mp4FormatException notTheCommonLayout) {
                // An entry of a format this parser does not know is not held to a layout: named by its FourCC only.
            }
        }
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
        if (!isVisual(format)) return new SampleEntry(format, FourCC.toString(format), width, height, 0, 0, whole);
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
        if (version == 2) {
            // QuickTime's version 2 leaves the fields above at fixed values (3 channels... 65536 Hz) and puts the
            // real ones after them: sizeOfStructOnly(32), audioSampleRate(float64), numAudioChannels(32).
            r.u32("sizeOfStructOnly");
            double v2Rate = Double.longBitsToDouble(r.i64("audioSampleRate"));
            long v2Channels = r.u32("numAudioChannels");
            if (v2Rate > 0 && v2Rate <= Integer.MAX_VALUE) rate = (int) Math.round(v2Rate);
            if (v2Channels <= 0xFFFF) channels = (int) v2Channels;
        }
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
            if (rate == 0) rate = config.sampleRate();
        } else if (format == FourCC.OPUS || format == FourCC.FLAC) {
            codec = format == FourCC.OPUS ? "opus" : "flac";
            if (rate == 0 && format == FourCC.FLAC) {
                for (Box c : children) if (c.type() == DFLA) rate = Codecs.flacSampleRate(c);
            }
        } else {
            codec = FourCC.toString(format);
            if (format == AC3) {
                for (Box c : children) if (c.type() == DAC3) channels = ac3Channels(c, channels);
            }
        }
        // The 16.16 samplerate field cannot hold 65536 Hz or more: muxers write 0 and put the rate in the codec
        // configuration (read above) or in a SamplingRateBox (ISO/IEC 14496-12 §12.2.3), which says it exactly.
        for (Box c : children) {
            if (c.type() == SRAT) {
                PayloadReader srat = c.reader();
                srat.fullBoxVersion(0);
                long v = srat.u32("sampling_rate");
                if (v > 0 && v <= Integer.MAX_VALUE) rate = (int) v;
            }
        }
        return new SampleEntry(format, codec, 0, 0, channels, rate, whole);
    }

    /** A few bytes of the file: {@code length} at {@code offset}, fewer where the file ends first. */
    @FunctionalInterface
    interface FileBytes {
        ByteBuffer at(long offset, int length) throws IOException;
    }

    /**
     * {@code entry}, corrected by the first sample's bitstream where the entry holds a template value. So far that is
     * MP3 ({@code mp4a} with objectTypeIndication 0x6B or 0x69): the channel count and rate are those of the first
     * sample's MPEG audio frame header ({@link Codecs#mpegAudio}), as ffprobe reports them. The entry is kept as
     * it is when the track has no sample, the sample is shorter than a header, or its first bytes are no valid
     * header. Reads 4 bytes, once per MP3 track, inside the file.
     */
    static SampleEntry withBitstream(SampleEntry entry, SampleTable samples, long fileSize, FileBytes file)
            throws IOException {
        if (entry.format() != FourCC.MP4A || !(entry.codec().equals("mp4a.6B") || entry.codec().equals("mp4a.69"))
                || samples.count() == 0 || samples.size(0) < 4) {
            return entry;
        }
        long at = samples.offset(0);
        // The tables are checked against the file size already; checked again here, as every read from a file is.
        if (at < 0 || at > fileSize - 4) return entry;
        ByteBuffer b = file.at(at, 4);
        if (b.remaining() < 4) return entry;
        Codecs.MpegAudio header = Codecs.mpegAudio(b.getInt(b.position()));
        if (header == null) return entry;
        if (header.channels() == entry.channels() && header.sampleRate() == entry.sampleRate()) return entry;
        return new SampleEntry(entry.format(), entry.codec(), entry.width(), entry.height(), header.channels(),
                header.sampleRate(), entry.entry());
    }

    private static final int AC3 = FourCC.of("ac-3"), DAC3 = FourCC.of("dac3"), DFLA = FourCC.of("dfLa"),
            SRAT = FourCC.of("srat");
    /** AC-3 audio coding mode (ETSI TS 102 366 Table 4.3): full-bandwidth channels per acmod. */
    private static final int[] ACMOD_CHANNELS = {2, 1, 2, 3, 3, 4, 4, 5};

    /**
     * Channels of an AC-3 stream from its {@code dac3} box (ETSI TS 102 366 Annex F.4): fscod(2) bsid(5) bsmod(3)
     * acmod(3) lfeon(1). The sample entry's channelcount is a template field muxers leave at 2.
     */
    private static int ac3Channels(Box dac3, int fallback) throws Mp4FormatException {
        PayloadReader r = dac3.reader();
        if (r.remaining() < 2) return fallback;
        int bits = (r.u8("dac3") << 8) | r.u8("dac3");
        int acmod = (bits >>> 3) & 0x7;
        int lfe = (bits >>> 2) & 0x1;
        return ACMOD_CHANNELS[acmod] + lfe;
    }

    private static Box find(Box entry, List<Box> children, int type) throws Mp4FormatException {
        for (Box c : children) if (c.type() == type) return c;
        throw new Mp4FormatException(entry.path(), entry.offset(), entry.header().typeName() + " entry has no "
                + FourCC.toString(type) + " decoder configuration box");
    }
}
