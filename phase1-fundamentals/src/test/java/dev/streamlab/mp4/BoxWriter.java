package dev.streamlab.mp4;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Writes ISO-BMFF boxes byte by byte for tests. It checks nothing on purpose: a test that wants a box to lie about
 * its size or count writes the lie with {@link #boxWithSize} or a wrong count field.
 *
 * <pre>
 *   byte[] mp4 = BoxWriter.movie(stsz(0, 3, u32(100), u32(100), u32(100)), stco(MDAT_PAYLOAD), ...);
 * </pre>
 */
final class BoxWriter {
    /** Where {@link #movie}'s mdat payload starts: after a 24-byte ftyp and mdat's 8-byte header. */
    static final int MDAT_PAYLOAD = 32;
    /** Bytes of media in {@link #movie}'s mdat. */
    static final int MDAT_SIZE = 1000;

    private BoxWriter() {}

    /** A box whose 32-bit size field is the true size. */
    static byte[] box(String type, byte[]... payload) {
        byte[] body = concat(payload);
        return concat(u32(8L + body.length), ascii(type), body);
    }

    /** A box whose 32-bit size field says {@code size}, whatever the payload really is. */
    static byte[] boxWithSize(long size, String type, byte[]... payload) {
        return concat(u32(size), ascii(type), concat(payload));
    }

    /** A box with size field 1 and a 64-bit largesize of {@code largesize} (§4.2). */
    static byte[] largeBox(long largesize, String type, byte[]... payload) {
        return concat(u32(1), ascii(type), u64(largesize), concat(payload));
    }

    /** A full box (§4.2 FullBox): one byte of version and three of flags before the payload. */
    static byte[] fullBox(String type, int version, int flags, byte[]... payload) {
        return box(type, u8(version), u24(flags), concat(payload));
    }

    static byte[] u8(int v) {
        return new byte[] {(byte) v};
    }

    static byte[] u16(int v) {
        return ByteBuffer.allocate(2).putShort((short) v).array();
    }

    static byte[] u24(int v) {
        return new byte[] {(byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }

    static byte[] u32(long v) {
        return ByteBuffer.allocate(4).putInt((int) v).array();
    }

    static byte[] u64(long v) {
        return ByteBuffer.allocate(8).putLong(v).array();
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static byte[] zeros(int n) {
        return new byte[n];
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }

    /** Offset of the first box of {@code type} in {@code file} (its size field), found by its four type bytes. */
    static int offsetOf(byte[] file, String type) {
        byte[] t = ascii(type);
        outer:
        for (int i = 4; i + 4 <= file.length; i++) {
            for (int k = 0; k < 4; k++) if (file[i + k] != t[k]) continue outer;
            return i - 4;
        }
        throw new IllegalArgumentException("no '" + type + "' in the file");
    }

    // ---- A minimal movie: ftyp, mdat, then moov (so mdat's offset does not depend on the tables). ----

    static byte[] ftyp() {
        return box("ftyp", ascii("isom"), u32(512), ascii("isom"), ascii("avc1"));
    }

    /**
     * {@code ftyp + mdat(1000 bytes) + moov(mvhd, one video trak)} whose {@code stbl} holds an {@code avc1} sample
     * entry and then {@code tables} (stts, stsc, stsz, stco, ...) as given.
     */
    static byte[] movie(byte[]... tables) {
        return concat(ftyp(), box("mdat", zeros(MDAT_SIZE)), moov(trak(stbl(tables))));
    }

    static byte[] moov(byte[]... traks) {
        // mvhd v0: times, timescale 1000, duration, rate, volume, reserved, matrix, pre_defined, next_track_ID.
        byte[] mvhd = fullBox("mvhd", 0, 0, u32(0), u32(0), u32(1000), u32(1000), u32(0x00010000), u16(0x0100),
                zeros(10), zeros(36), zeros(24), u32(2));
        return box("moov", mvhd, concat(traks));
    }

    static byte[] trak(byte[] stbl) {
        return trak(new byte[0], stbl);
    }

    /** A trak with {@code edts} (an {@code edts} box, or nothing) between tkhd and mdia, as muxers place it. */
    static byte[] trak(byte[] edts, byte[] stbl) {
        return trak(edts, stbl, fullBox("mdhd", 0, 0, u32(0), u32(0), u32(1000), u32(1000), u16(0x55C4), u16(0)));
    }

    /** A trak with the given {@code mdhd} box (its timescale should be 1000, as the other helpers assume). */
    static byte[] trak(byte[] edts, byte[] stbl, byte[] mdhd) {
        byte[] tkhd = fullBox("tkhd", 0, 3, u32(0), u32(0), u32(1), zeros(4), u32(1000), zeros(60));
        byte[] hdlr = fullBox("hdlr", 0, 0, u32(0), ascii("vide"), zeros(12), ascii("Video\0"));
        return box("trak", tkhd, edts, box("mdia", mdhd, hdlr, box("minf", stbl)));
    }

    /** {@code stbl(stsd(avc1(avcC)), tables...)}. */
    static byte[] stbl(byte[]... tables) {
        // VisualSampleEntry: 6 reserved, data_reference_index, 16 pre_defined/reserved, 32x32, then 50 more bytes.
        byte[] avcC = box("avcC", u8(1), u8(0x64), u8(0), u8(0x1e), u8(0xff), u8(0xe0), u8(0));
        byte[] avc1 = box("avc1", zeros(6), u16(1), zeros(16), u16(32), u16(32), zeros(50), avcC);
        return box("stbl", fullBox("stsd", 0, 0, u32(1), avc1), concat(tables));
    }

    /** stsz: a constant size for every sample, or 0 and one 32-bit size per sample in {@code sizes}. */
    static byte[] stsz(long constantSize, long count, byte[]... sizes) {
        return fullBox("stsz", 0, 0, u32(constantSize), u32(count), concat(sizes));
    }

    /** stts with one run: {@code count} samples of {@code delta} ticks each. */
    static byte[] stts(long entryCount, long count, long delta) {
        return fullBox("stts", 0, 0, u32(entryCount), u32(count), u32(delta));
    }

    /** stsc with one run: every chunk from 1 on holds {@code perChunk} samples. */
    static byte[] stsc(long entryCount, long perChunk) {
        return fullBox("stsc", 0, 0, u32(entryCount), u32(1), u32(perChunk), u32(1));
    }

    /** stco with one chunk at {@code offset}. */
    static byte[] stco(long offset) {
        return fullBox("stco", 0, 0, u32(1), u32(offset));
    }

    /** co64 with one chunk at {@code offset}. */
    static byte[] co64(long offset) {
        return fullBox("co64", 0, 0, u32(1), u64(offset));
    }

    /** The tables of a valid three-sample track: 3 x 100 bytes in one chunk at the start of mdat. */
    static byte[][] threeSamples() {
        return new byte[][] {stts(1, 3, 100), stsc(1, 3), stsz(0, 3, u32(100), u32(100), u32(100)),
                stco(MDAT_PAYLOAD)};
    }
}
