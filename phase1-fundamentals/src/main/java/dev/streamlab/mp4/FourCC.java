package dev.streamlab.mp4;

/**
 * Box types and sample-entry formats are four bytes (ISO/IEC 14496-12 §4.2 "FourCC"), kept as a big-endian
 * {@code int} so comparing two types costs one instruction and no String is built per box.
 */
public final class FourCC {
    private FourCC() {}

    public static final int FTYP = of("ftyp"), MOOV = of("moov"), MDAT = of("mdat"), MVHD = of("mvhd"),
            TRAK = of("trak"), TKHD = of("tkhd"), EDTS = of("edts"), ELST = of("elst"), MDIA = of("mdia"),
            MDHD = of("mdhd"), HDLR = of("hdlr"), MINF = of("minf"), STBL = of("stbl"), STSD = of("stsd"),
            STTS = of("stts"), CTTS = of("ctts"), STSS = of("stss"), STSZ = of("stsz"), STZ2 = of("stz2"),
            STSC = of("stsc"), STCO = of("stco"), CO64 = of("co64"), UUID = of("uuid"), DINF = of("dinf"),
            UDTA = of("udta"), MVEX = of("mvex"), MOOF = of("moof"), TRAF = of("traf"), META = of("meta"),
            FREE = of("free"), SKIP = of("skip"), WIDE = of("wide"), SIDX = of("sidx"), STYP = of("styp"),
            MFRA = of("mfra"), PDIN = of("pdin"), EMSG = of("emsg"), PRFT = of("prft"),
            AVC1 = of("avc1"), AVC3 = of("avc3"), AVCC = of("avcC"), HVC1 = of("hvc1"), HEV1 = of("hev1"),
            HVCC = of("hvcC"), VP09 = of("vp09"), VPCC = of("vpcC"), AV01 = of("av01"), AV1C = of("av1C"),
            MP4A = of("mp4a"), ESDS = of("esds"), WAVE = of("wave"), OPUS = of("Opus"), FLAC = of("fLaC"),
            VIDE = of("vide"), SOUN = of("soun");

    /** The FourCC of a four-character ASCII string. */
    public static int of(String s) {
        if (s.length() != 4) throw new IllegalArgumentException("a FourCC has 4 characters: '" + s + "'");
        int v = 0;
        for (int i = 0; i < 4; i++) {
            char c = s.charAt(i);
            if (c > 0xFF) throw new IllegalArgumentException("FourCC characters are bytes: '" + s + "'");
            v = (v << 8) | c;
        }
        return v;
    }

    /** Printable form: ASCII as is (ISO-8859-1 for QuickTime's '©' types), other bytes as {@code \xNN}. */
    public static String toString(int type) {
        StringBuilder sb = new StringBuilder(4);
        for (int shift = 24; shift >= 0; shift -= 8) {
            int b = (type >>> shift) & 0xFF;
            if ((b >= 0x20 && b < 0x7F) || b == 0xA9) sb.append((char) b);
            else sb.append(String.format("\\x%02x", b));
        }
        return sb.toString();
    }

    /** True when all four bytes are printable ASCII, as every registered top-level box type is. */
    public static boolean isPrintable(int type) {
        for (int shift = 24; shift >= 0; shift -= 8) {
            int b = (type >>> shift) & 0xFF;
            if (b < 0x20 || b >= 0x7F) return false;
        }
        return true;
    }
}
