package dev.streamlab.y4m;

import dev.streamlab.pixels.YuvImage;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * The stream header of a YUV4MPEG2 file: {@code YUV4MPEG2 W320 H180 F15:1 Ip A1:1 C420jpeg XYSCSS=420JPEG}, space
 * separated tagged fields ending in a newline (the format as ffmpeg's {@code -f yuv4mpegpipe} writes it and
 * mjpegtools documents it). Only 4:2:0 layouts are accepted; their siting variants differ in where chroma samples
 * sit, not in the byte layout, so all read the same.
 *
 * @param width       luma width (W), &gt; 0
 * @param height      luma height (H), &gt; 0
 * @param fpsNum      frame rate numerator (F n:d)
 * @param fpsDen      frame rate denominator
 * @param interlacing I: p (progressive), t, b, m, or ? when absent
 * @param colorspace  C, {@code 420jpeg} when absent (the format's default)
 * @param length      bytes of the header line including its newline: the first frame starts there
 */
public record Y4mHeader(int width, int height, int fpsNum, int fpsDen, char interlacing, String colorspace,
                        int length) {
    public static final String MAGIC = "YUV4MPEG2";
    /** The 4:2:0 colorspace tags (same plane layout; different chroma siting). */
    public static final Set<String> SUPPORTED = Set.of("420jpeg", "420paldv", "420mpeg2", "420");
    /** Longest header line accepted: real ones are under 100 bytes. */
    static final int MAX_LINE = 1024;
    /** Larger frames are refused: 8K is 7680x4320. */
    static final int MAX_SIDE = 8192;

    public Y4mHeader {
        if (width < 1 || height < 1 || width > MAX_SIDE || height > MAX_SIDE) {
            throw new IllegalArgumentException("frame size " + width + "x" + height);
        }
        if (fpsNum < 1 || fpsDen < 1) throw new IllegalArgumentException("frame rate " + fpsNum + ":" + fpsDen);
    }

    /** Payload bytes of one frame (Y, then U, then V; no FRAME line). */
    public int frameBytes() {
        return YuvImage.frameBytes(width, height);
    }

    public double fps() {
        return (double) fpsNum / fpsDen;
    }

    /** The header line as written: tests and proxies of our own. */
    public static String line(int width, int height, int fpsNum, int fpsDen) {
        return MAGIC + " W" + width + " H" + height + " F" + fpsNum + ":" + fpsDen + " Ip A1:1 C420jpeg\n";
    }

    /**
     * Parses the header line at the start of {@code bytes} (ISO-8859-1 text; only ASCII is meaningful).
     *
     * @throws Y4mFormatException naming what is wrong
     */
    static Y4mHeader parse(java.nio.ByteBuffer bytes) throws Y4mFormatException {
        int n = Math.min(bytes.limit(), MAX_LINE);
        int end = -1;
        for (int i = 0; i < n; i++) {
            if (bytes.get(i) == '\n') {
                end = i;
                break;
            }
        }
        byte[] magic = MAGIC.getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < magic.length; i++) {
            if (i >= bytes.limit() || bytes.get(i) != magic[i]) {
                throw new Y4mFormatException("not a YUV4MPEG2 file: it must start with '" + MAGIC + " '");
            }
        }
        if (end < 0) throw new Y4mFormatException("header line without a newline in the first " + n + " bytes");
        byte[] line = new byte[end];
        bytes.get(0, line);
        String[] tokens = new String(line, StandardCharsets.ISO_8859_1).split(" ");
        if (!tokens[0].equals(MAGIC)) throw new Y4mFormatException("bad magic '" + tokens[0] + "'");
        int w = -1, h = -1, fn = -1, fd = -1;
        char interlacing = '?';
        String colorspace = "420jpeg";
        for (int i = 1; i < tokens.length; i++) {
            String t = tokens[i];
            if (t.isEmpty()) continue;
            String v = t.substring(1);
            switch (t.charAt(0)) {
                case 'W' -> w = number(v, "width W");
                case 'H' -> h = number(v, "height H");
                case 'F' -> {
                    int colon = v.indexOf(':');
                    if (colon < 0) throw new Y4mFormatException("frame rate F" + v + " is not n:d");
                    fn = number(v.substring(0, colon), "frame rate F");
                    fd = number(v.substring(colon + 1), "frame rate F");
                }
                case 'I' -> interlacing = v.isEmpty() ? '?' : v.charAt(0);
                case 'C' -> colorspace = v;
                default -> { } // A (aspect), X (extensions): not needed to read the pixels
            }
        }
        if (w < 0 || h < 0) throw new Y4mFormatException("header lacks the frame size (W and H are required)");
        if (fn < 0) throw new Y4mFormatException("header lacks the frame rate (F is required)");
        if (!SUPPORTED.contains(colorspace)) {
            throw new Y4mFormatException("unsupported colorspace C" + colorspace + "; this reader handles 4:2:0 only ("
                    + String.join(", ", new java.util.TreeSet<>(SUPPORTED)) + "): convert with ffmpeg -pix_fmt yuv420p");
        }
        try {
            return new Y4mHeader(w, h, fn, fd, interlacing, colorspace, end + 1);
        } catch (IllegalArgumentException e) {
            throw new Y4mFormatException("bad header: " + e.getMessage());
        }
    }

    private static int number(String s, String what) throws Y4mFormatException {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new Y4mFormatException(what + " is not a number: '" + (s.length() > 20 ? s.substring(0, 20) : s) + "'");
        }
    }
}
