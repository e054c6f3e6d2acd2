package dev.streamlab.http.range;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The layout of a {@code multipart/byteranges} body (RFC 9110 §14.6, framed as RFC 2046 §5.1.1 says), computed
 * before a byte is written, so the server knows the exact Content-Length and never needs chunked encoding.
 *
 * <p>For ranges {@code 0-4} and {@code 10-14} of a 20-byte {@code video/mp4}, boundary {@code B}:
 * <pre>
 *   --B\r\n                                 part 0 header: no CRLF before the first boundary
 *   Content-Type: video/mp4\r\n
 *   Content-Range: bytes 0-4/20\r\n
 *   \r\n
 *   [file bytes 0..4]                       part 0 body: a file region
 *   \r\n--B\r\n                             part 1 header: the CRLF before "--B" belongs to the boundary
 *   Content-Type: video/mp4\r\n
 *   Content-Range: bytes 10-14/20\r\n
 *   \r\n
 *   [file bytes 10..14]
 *   \r\n--B--\r\n                           close delimiter, then an empty epilogue
 * </pre>
 * RFC 2046 §5.1.1: {@code multipart-body := [preamble CRLF] dash-boundary transport-padding CRLF body-part
 * *encapsulation close-delimiter transport-padding [CRLF epilogue]}, where {@code delimiter := CRLF dash-boundary}
 * and "the CRLF preceding the boundary delimiter line is conceptually attached to the boundary": a part's body
 * ends right before {@code \r\n--B}, so the bytes there are the file's, unmodified. The first boundary has no
 * preamble, hence no CRLF, exactly as RFC 9110 §14.6's example (nginx and Apache send one anyway, as an empty
 * preamble; both forms are valid). The trailing CRLF after {@code --B--} is the optional {@code [CRLF epilogue]}
 * with an empty epilogue; it ends the body on a line boundary, as nginx and Apache do.
 *
 * <p>A writer sends, in order: {@code part(0).header()}, the file region {@code part(0).range()},
 * {@code part(1).header()}, ..., {@link #closeDelimiter()}. Headers are small read-only US-ASCII buffers, fresh for
 * each call, so a phase 3 server can put them in a gathering write next to file regions sent with
 * {@code FileChannel.transferTo}; the file bytes themselves are never copied into this object.
 *
 * <p>The boundary must not occur in the data (RFC 2046 §5.1.1). We cannot scan a video for it without reading the
 * file, so it is 32 hex digits from {@link SecureRandom}, fresh per response: 128 random bits make an accidental
 * match negligible, and an attacker cannot plant a boundary they cannot predict. (nginx uses a counter, which a
 * file could contain.) Hex digits are valid RFC 2046 {@code bchars} and HTTP {@code token} characters, so the
 * Content-Type parameter needs no quotes.
 */
public final class MultipartByteranges {
    /** The media type of the whole body (RFC 9110 §14.6). */
    public static final String MEDIA_TYPE = "multipart/byteranges";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final byte[] CRLF = {'\r', '\n'};

    private final String boundary;
    private final long completeLength;
    private final List<Part> parts;
    private final byte[] close;
    private final long contentLength;

    private MultipartByteranges(String boundary, long completeLength, List<Part> parts, byte[] close) {
        this.boundary = boundary;
        this.completeLength = completeLength;
        this.parts = List.copyOf(parts);
        this.close = close;
        long total = close.length;
        for (Part p : parts) total = Math.addExact(total, Math.addExact(p.headerLength(), p.range().length()));
        this.contentLength = total;
    }

    /** {@link #of(List, long, String, String)} with a fresh {@link #newBoundary() random boundary}. */
    public static MultipartByteranges of(List<ByteRange> ranges, long completeLength, String contentType) {
        return of(ranges, completeLength, contentType, newBoundary());
    }

    /**
     * Lays out a multipart/byteranges body.
     *
     * @param ranges         the parts' ranges, in the order to send them (at least one)
     * @param completeLength the representation's length, for each part's Content-Range
     * @param contentType    the representation's Content-Type, repeated in each part (RFC 9110 §14.6: "the server
     *                       SHOULD generate that same Content-Type header field in each body part"), or null for
     *                       none
     * @param boundary       1 to 70 characters from {@code [0-9A-Za-z'+_.-]}
     * @throws IllegalArgumentException if a range ends at or past {@code completeLength}, the content type holds
     *                                  characters that could break out of its header line, or the boundary is
     *                                  not allowed
     */
    public static MultipartByteranges of(List<ByteRange> ranges, long completeLength, String contentType,
            String boundary) {
        if (ranges.isEmpty()) throw new IllegalArgumentException("no ranges");
        checkBoundary(boundary);
        if (contentType != null) checkFieldValue(contentType);
        List<Part> parts = new ArrayList<>(ranges.size());
        for (ByteRange r : ranges) {
            StringBuilder h = new StringBuilder(96);
            if (!parts.isEmpty()) h.append("\r\n"); // delimiter := CRLF dash-boundary (RFC 2046 §5.1.1)
            h.append("--").append(boundary).append("\r\n");
            if (contentType != null) h.append("Content-Type: ").append(contentType).append("\r\n");
            h.append("Content-Range: ").append(r.contentRange(completeLength)).append("\r\n");
            h.append("\r\n"); // the empty line that ends the part's header fields
            parts.add(new Part(r, h.toString().getBytes(StandardCharsets.US_ASCII)));
        }
        byte[] close = ("\r\n--" + boundary + "--").getBytes(StandardCharsets.US_ASCII);
        byte[] closeWithCrlf = new byte[close.length + CRLF.length];
        System.arraycopy(close, 0, closeWithCrlf, 0, close.length);
        System.arraycopy(CRLF, 0, closeWithCrlf, close.length, CRLF.length);
        return new MultipartByteranges(boundary, completeLength, parts, closeWithCrlf);
    }

    /** A fresh boundary: 32 lowercase hex digits (128 bits) from a {@link SecureRandom}. */
    public static String newBoundary() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    public String boundary() {
        return boundary;
    }

    /** The response's {@code Content-Type} field value: {@code multipart/byteranges; boundary=...}. */
    public String contentType() {
        return MEDIA_TYPE + "; boundary=" + boundary;
    }

    /** The parts, in sending order. */
    public List<Part> parts() {
        return parts;
    }

    /** The close delimiter and final CRLF, {@code \r\n--BOUNDARY--\r\n}: a fresh read-only buffer per call. */
    public ByteBuffer closeDelimiter() {
        return ByteBuffer.wrap(close).asReadOnlyBuffer();
    }

    /** Exact number of body bytes: every part's header and range, plus the close delimiter. */
    public long contentLength() {
        return contentLength;
    }

    /** The representation's length, as written after the slash of each Content-Range. */
    public long completeLength() {
        return completeLength;
    }

    @Override
    public String toString() {
        return "MultipartByteranges[boundary=" + boundary + ", parts=" + parts + ", contentLength=" + contentLength
                + "]";
    }

    /** RFC 2046 §5.1.1 {@code boundary := 0*69<bchars> bcharsnospace}, narrowed to chars that are also tchars. */
    private static void checkBoundary(String b) {
        if (b.isEmpty() || b.length() > 70) throw new IllegalArgumentException("boundary needs 1 to 70 characters");
        for (int i = 0; i < b.length(); i++) {
            char c = b.charAt(i);
            boolean ok = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
                    || "'+_.-".indexOf(c) >= 0;
            if (!ok) throw new IllegalArgumentException("boundary character '" + c + "' not allowed");
        }
    }

    /** A field value we write into a part header: visible US-ASCII, SP and HTAB only. No CR/LF: no injection. */
    private static void checkFieldValue(String v) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if ((c < 0x20 && c != '\t') || c > 0x7E) {
                throw new IllegalArgumentException("character " + (int) c + " not allowed in a Content-Type");
            }
        }
    }

    /**
     * One body part: the header bytes that precede it (boundary delimiter, Content-Type, Content-Range, empty line)
     * and the range of the file that follows them.
     */
    public static final class Part {
        private final ByteRange range;
        private final byte[] header;

        private Part(ByteRange range, byte[] header) {
            this.range = range;
            this.header = header;
        }

        /** The bytes of the representation this part carries. */
        public ByteRange range() {
            return range;
        }

        /** The header bytes to send before the range: a fresh read-only buffer per call, positioned at 0. */
        public ByteBuffer header() {
            return ByteBuffer.wrap(header).asReadOnlyBuffer();
        }

        public int headerLength() {
            return header.length;
        }

        /** The header as text, CRLFs included; for logs and tests. */
        public String headerText() {
            return new String(header, StandardCharsets.US_ASCII);
        }

        @Override
        public String toString() {
            return "Part[" + range + ", header " + header.length + " B]";
        }
    }
}
