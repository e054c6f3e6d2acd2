package dev.streamlab.mp4;

import java.nio.ByteBuffer;

/**
 * RFC 6381 {@code codecs} strings, the form a browser's {@code MediaSource.isTypeSupported} and the
 * {@code codecs=} parameter of a MIME type expect, built from the decoder configuration boxes.
 *
 * <p>Each builder reads only the first bytes of its box; the formats are those of ISO/IEC 14496-15 (avcC, hvcC),
 * ISO/IEC 14496-1 (esds descriptors), the VP9 ISO-BMFF binding (vpcC) and the AV1 ISO-BMFF binding (av1C).
 */
final class Codecs {
    private Codecs() {}

    /** {@code avc1.PPCCLL}: profile_idc, constraint flags, level_idc from the avcC record, in hex. */
    static String avc(int format, Box avcC) throws Mp4FormatException {
        PayloadReader r = avcC.reader();
        r.u8("configurationVersion");
        int profile = r.u8("AVCProfileIndication");
        int compat = r.u8("profile_compatibility");
        int level = r.u8("AVCLevelIndication");
        return String.format("%s.%02x%02x%02x", FourCC.toString(format), profile, compat, level);
    }

    /** {@code hvc1.[A-C]P.C.{L|H}LL.CC...} (ISO/IEC 14496-15 Annex E.3). */
    static String hevc(int format, Box hvcC) throws Mp4FormatException {
        PayloadReader r = hvcC.reader();
        r.u8("configurationVersion");
        int b = r.u8("general_profile_space/tier/profile");
        int space = b >>> 6;
        boolean highTier = (b & 0x20) != 0;
        int profile = b & 0x1F;
        long compat = r.u32("general_profile_compatibility_flags");
        int[] constraints = new int[6];
        for (int i = 0; i < 6; i++) constraints[i] = r.u8("general_constraint_indicator_flags");
        int level = r.u8("general_level_idc");
        StringBuilder sb = new StringBuilder(FourCC.toString(format)).append('.');
        if (space > 0) sb.append((char) ('A' + space - 1));
        // The compatibility flags are written in reverse bit order (E.3: "in reverse bit order").
        sb.append(profile).append('.').append(Long.toHexString(Integer.toUnsignedLong(Integer.reverse((int) compat))));
        sb.append('.').append(highTier ? 'H' : 'L').append(level);
        int last = 5;
        while (last >= 0 && constraints[last] == 0) last--; // trailing zero bytes are omitted
        for (int i = 0; i <= last; i++) sb.append('.').append(Integer.toHexString(constraints[i]).toUpperCase());
        return sb.toString();
    }

    /** {@code vp09.PP.LL.DD}: profile, level, bit depth as two-digit decimals (VP9 codec ISO-BMFF binding §4). */
    static String vp9(Box vpcC) throws Mp4FormatException {
        PayloadReader r = vpcC.reader();
        r.fullBoxVersion(1);
        int profile = r.u8("profile");
        int level = r.u8("level");
        int bitDepth = r.u8("bitDepth") >>> 4;
        return String.format("vp09.%02d.%02d.%02d", profile, level, bitDepth);
    }

    /** {@code av01.P.LLT.DD} (AV1 ISO-BMFF binding, "Codecs Parameter String"). */
    static String av1(Box av1C) throws Mp4FormatException {
        PayloadReader r = av1C.reader();
        int marker = r.u8("marker/version");
        if ((marker & 0x80) == 0) throw r.error("av1C marker bit is not set");
        int b1 = r.u8("seq_profile/seq_level_idx_0");
        int b2 = r.u8("seq_tier_0/bit depth flags");
        int profile = b1 >>> 5;
        int level = b1 & 0x1F;
        boolean highTier = (b2 & 0x80) != 0;
        boolean highBitDepth = (b2 & 0x40) != 0;
        boolean twelveBit = (b2 & 0x20) != 0;
        int depth = highBitDepth ? (twelveBit ? 12 : 10) : 8;
        return String.format("av01.%d.%02d%c.%02d", profile, level, highTier ? 'H' : 'M', depth);
    }

    /**
     * What the esds box says: the codecs string and, for AAC, the real channel count and sampling rate (0 = not
     * stated).
     */
    record Mp4a(String codec, int channels, int sampleRate) {}

    /** AudioSpecificConfig samplingFrequencyIndex → Hz (ISO/IEC 14496-3 Table 1.18); 13, 14 reserved, 15 explicit. */
    private static final int[] AAC_RATES = {96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000,
            11025, 8000, 7350};

    /**
     * {@code mp4a.OO[.A]}: the esds DecoderConfigDescriptor's objectTypeIndication in hex, then for MPEG-4 audio
     * (0x40) the AudioSpecificConfig's audioObjectType in decimal, e.g. {@code mp4a.40.2} for AAC-LC.
     *
     * <p>The channel count comes from the AudioSpecificConfig too (ISO/IEC 14496-3 §1.6.2.1): the sample entry's
     * {@code channelcount} is a template field that muxers (ffmpeg among them) leave at 2 even for mono.
     */
    static Mp4a mp4a(Box esds) throws Mp4FormatException {
        PayloadReader r = esds.reader();
        r.fullBoxVersion(0);
        Descriptor es = Descriptor.read(r, 0x03, "ES_Descriptor");
        PayloadReader d = es.body();
        d.u16("ES_ID");
        int flags = d.u8("ES flags");
        if ((flags & 0x80) != 0) d.u16("dependsOn_ES_ID");
        if ((flags & 0x40) != 0) d.skip(d.u8("URLlength"), "URLstring");
        if ((flags & 0x20) != 0) d.u16("OCR_ES_Id");
        Descriptor dc = Descriptor.read(d, 0x04, "DecoderConfigDescriptor");
        PayloadReader c = dc.body();
        int oti = c.u8("objectTypeIndication");
        c.skip(1 + 3 + 4 + 4, "streamType/bufferSizeDB/maxBitrate/avgBitrate");
        if (oti != 0x40 || c.remaining() == 0) return new Mp4a(String.format("mp4a.%02X", oti), 0, 0);
        Descriptor dsi = Descriptor.read(c, 0x05, "DecoderSpecificInfo");
        PayloadReader a = dsi.body();
        // AudioSpecificConfig is a bit string: audioObjectType(5) [escape 31: +6 bits], frequencyIndex(4)
        // [escape 15: +24 bits of frequency], channelConfiguration(4).
        long bits = 0;
        int have = 0;
        while (have <= 56 && a.remaining() > 0) {
            bits |= (long) a.u8("AudioSpecificConfig") << (56 - have);
            have += 8;
        }
        if (have < 16) throw a.error("AudioSpecificConfig is shorter than 2 bytes");
        int pos = 0;
        int aot = (int) (bits >>> (64 - 5));
        pos += 5;
        if (aot == 31) {
            aot = 32 + (int) ((bits << pos) >>> (64 - 6));
            pos += 6;
        }
        int frequencyIndex = (int) ((bits << pos) >>> (64 - 4));
        pos += 4;
        int rate = frequencyIndex < AAC_RATES.length ? AAC_RATES[frequencyIndex] : 0;
        if (frequencyIndex == 15) {
            rate = pos + 24 <= have ? (int) ((bits << pos) >>> (64 - 24)) : 0;
            pos += 24;
        }
        int channels = 0;
        if (pos + 4 <= have) {
            int config = (int) ((bits << pos) >>> (64 - 4));
            channels = switch (config) {
                case 1, 2, 3, 4, 5, 6 -> config;
                case 7, 12, 14 -> 8;
                case 11 -> 7;
                default -> 0; // 0: described by a program config element; others reserved
            };
        }
        return new Mp4a("mp4a.40." + aot, channels, rate);
    }

    /** An MPEG-4 descriptor (ISO/IEC 14496-1 §8.3.3): a tag and an "expandable" size of up to four 7-bit bytes. */
    private record Descriptor(int tag, ByteBuffer bytes, String box, long offset) {
        static Descriptor read(PayloadReader r, int expectedTag, String name) throws Mp4FormatException {
            long at = r.fileOffset();
            int tag = r.u8(name + " tag");
            if (tag != expectedTag) {
                throw new Mp4FormatException(r.box(), at, "expected " + name + " (tag " + expectedTag
                        + "), found tag " + tag);
            }
            int size = 0;
            for (int i = 0; ; i++) {
                if (i == 4) throw new Mp4FormatException(r.box(), at, name + " size is longer than 4 bytes");
                int b = r.u8(name + " size");
                size = (size << 7) | (b & 0x7F);
                if ((b & 0x80) == 0) break;
            }
            long bodyOffset = r.fileOffset();
            return new Descriptor(tag, r.view(size, name), r.box(), bodyOffset);
        }

        PayloadReader body() {
            return new PayloadReader(bytes.duplicate(), box, offset);
        }
    }

    /** What an MPEG audio frame header says (0 channels: no valid header). */
    record MpegAudio(int channels, int sampleRate) {}

    /** sampling_frequency → Hz for MPEG-1 (ISO/IEC 11172-3 §2.4.2.3); MPEG-2 halves it, MPEG-2.5 quarters it. */
    private static final int[] MPEG_RATES = {44100, 48000, 32000};

    /**
     * Channels and rate from the 32-bit header that starts an MPEG audio frame (ISO/IEC 11172-3 §2.4.1.3, with the
     * lower sampling frequencies of ISO/IEC 13818-3 §2.4.2.3 and the MPEG-2.5 extension): syncword(11, all 1s)
     * version(2) layer(2) protection(1) bitrate_index(4) sampling_frequency(2) padding(1) private(1) mode(2)
     * mode_extension(2) copyright(1) original(1) emphasis(2). Mode 3 is single channel: one channel; stereo, joint
     * stereo and dual channel are two. {@code null} when the bytes are no valid header: no syncword, a reserved
     * version, layer or sampling frequency, or the forbidden bitrate index 15 (what FFmpeg refuses as a header too).
     *
     * <p>This is where the channel count of MP3 in MP4 is: the esds of objectTypeIndication 0x6B (ISO/IEC 11172-3
     * audio) or 0x69 (ISO/IEC 13818-3) carries no decoder specific info, unlike AAC's AudioSpecificConfig (0x40), and
     * the sample entry's {@code channelcount} is a template field (ISO/IEC 14496-12 §12.2.3) that muxers, FFmpeg
     * among them, set to 2 even for mono.
     */
    static MpegAudio mpegAudio(int header) {
        if ((header >>> 21) != 0x7FF) return null;
        int version = (header >>> 19) & 0x3; // 0 MPEG-2.5, 1 reserved, 2 MPEG-2, 3 MPEG-1
        int layer = (header >>> 17) & 0x3; // 0 reserved
        int bitrateIndex = (header >>> 12) & 0xF;
        int frequency = (header >>> 10) & 0x3;
        if (version == 1 || layer == 0 || bitrateIndex == 15 || frequency == 3) return null;
        int rate = MPEG_RATES[frequency] >> (version == 3 ? 0 : version == 2 ? 1 : 2);
        int mode = (header >>> 6) & 0x3;
        return new MpegAudio(mode == 3 ? 1 : 2, rate);
    }

    /**
     * The sample rate in a {@code dfLa} box (FLAC in ISO BMFF §3.3.2): a full box, then FLAC metadata blocks, the
     * first a STREAMINFO whose bits 80-99 are the rate. 0 when it cannot be read.
     */
    static int flacSampleRate(Box dfLa) throws Mp4FormatException {
        PayloadReader r = dfLa.reader();
        r.fullBoxVersion(0);
        if (r.remaining() < 4 + 13) return 0;
        int blockType = r.u8("metadata block header") & 0x7F;
        r.u24("metadata block length");
        if (blockType != 0) return 0; // STREAMINFO must come first
        r.skip(10, "block and frame sizes");
        return (r.u16("sample rate") << 4) | (r.u8("sample rate") >>> 4);
    }
}
