package dev.streamlab.http1;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Bytes in, {@link Http1Request}s out: an incremental HTTP/1.1 request parser (RFC 9112) that gives the same
 * answer however the input is split — one byte at a time, the whole request at once, or anything between.
 *
 * <pre>
 *   REQUEST_LINE  method SP request-target SP HTTP-version CRLF      (≤ maxRequestLineBytes, else 414)
 *   FIELDS        *( field-name ":" OWS field-value OWS CRLF ) CRLF  (≤ maxHeaderFields and maxHeaderBytes, else 431)
 *   BODY          Content-Length bytes                               (≤ maxBodyBytes, else 413)
 * </pre>
 *
 * <p>Use: {@code parse(buffer)} consumes what it can from a buffer in read mode and returns a request once one is
 * complete, null when it needs more bytes. Bytes after a complete request stay in the buffer (pipelining): call
 * {@code parse} again for the next request. A bad request throws {@link Http1Exception} with its status; the parser
 * is then done, like the connection.
 *
 * <p>It is a byte-at-a-time state machine with one line buffer, so a line split across reads needs no special
 * case, and memory is bounded by the limits whatever is sent: the line buffer grows only up to the limit it is
 * checked against, the body buffer only as body bytes arrive (a client announcing 64 KiB and sending nothing
 * costs nothing). Checks name their RFC clause.
 *
 * <p>Not supported, by choice: request bodies in {@code chunked} transfer coding (411: send Content-Length;
 * the player's QoE reports are small JSON), other transfer codings (501), {@code obs-fold} line folding (400,
 * RFC 9112 §5.2 allows that), HTTP/0.9 and HTTP/2 (505).
 */
public final class Http1Parser {
    /**
     * What one request may take.
     *
     * @param maxRequestLineBytes request line without its CRLF; longer gets 414 (RFC 9112 §3: "A server that
     *                            receives a request-target longer than any URI it wishes to parse MUST respond with
     *                            a 414 (URI Too Long) status code")
     * @param maxHeaderFields     field lines; more gets 431 (RFC 6585 §5)
     * @param maxHeaderBytes      the field lines' bytes, 2 per line terminator included, the final empty line not;
     *                            more gets 431
     * @param maxBodyBytes        Content-Length; more gets 413 (RFC 9110 §15.5.14) before a body byte is read
     */
    public record Limits(int maxRequestLineBytes, int maxHeaderFields, int maxHeaderBytes, int maxBodyBytes) {
        /** 8 KiB request line, 100 fields, 16 KiB of fields, 64 KiB body. */
        public static final Limits DEFAULT = new Limits(8 * 1024, 100, 16 * 1024, 64 * 1024);

        public Limits {
            if (maxRequestLineBytes < 16 || maxHeaderFields < 1 || maxHeaderBytes < 16 || maxBodyBytes < 0) {
                throw new IllegalArgumentException("limits too small: " + maxRequestLineBytes + ", "
                        + maxHeaderFields + ", " + maxHeaderBytes + ", " + maxBodyBytes);
            }
        }
    }

    /** RFC 9112 §2.2: a server "SHOULD ignore at least one empty line (CRLF) received prior to the request-line". */
    static final int MAX_EMPTY_LINES = 8;
    /**
     * RFC 9112 §3: "A server that receives a method longer than any that it implements SHOULD respond with a 501
     * (Not Implemented)". The longest registered methods have 17 letters; past this a 501 comes at once, not a 414
     * once the whole request line's limit is reached.
     */
    static final int MAX_METHOD_BYTES = 32;
    private static final int INITIAL_LINE = 256;
    private static final int INITIAL_BODY = 4096;
    /** tchar (RFC 9110 §5.6.2): the characters of a token (method, field name). */
    private static final boolean[] TCHAR = new boolean[128];

    static {
        for (char c = '0'; c <= '9'; c++) TCHAR[c] = true;
        for (char c = 'a'; c <= 'z'; c++) TCHAR[c] = true;
        for (char c = 'A'; c <= 'Z'; c++) TCHAR[c] = true;
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) TCHAR[c] = true;
    }

    private enum State { REQUEST_LINE, FIELDS, BODY, FAILED }

    private final Limits limits;
    private State state = State.REQUEST_LINE;
    private byte[] line = new byte[INITIAL_LINE];
    private int lineLength;
    private boolean sawCr;
    private boolean methodRead; // the request line's first SP has been seen
    private int emptyLines;
    // The request being parsed.
    private String method;
    private String target;
    private String path;
    private String query;
    private String version;
    private final List<Http1Request.Field> fields = new ArrayList<>();
    private int headerBytes;
    private byte[] body;
    private int bodyLength;
    private int bodyFilled;
    private boolean expectContinue;

    public Http1Parser(Limits limits) {
        this.limits = limits;
    }

    public Http1Parser() {
        this(Limits.DEFAULT);
    }

    /**
     * Consumes bytes from {@code in} (read mode) up to the end of one request.
     *
     * @return the request, with {@code in} positioned just after it; or null when every byte was consumed and the
     *         request is not complete yet
     * @throws Http1Exception        if the request is malformed or over a limit; the parser cannot be used again
     * @throws IllegalStateException if called again after an {@link Http1Exception}
     */
    public Http1Request parse(ByteBuffer in) throws Http1Exception {
        if (state == State.FAILED) throw new IllegalStateException("this parser failed; close the connection");
        try {
            while (in.hasRemaining()) {
                if (state == State.BODY) {
                    if (readBody(in)) return finish();
                    continue;
                }
                byte b = in.get();
                Http1Request done = null;
                if (sawCr) {
                    sawCr = false;
                    // RFC 9112 §2.2: "A sender MUST NOT generate a bare CR (a CR character not immediately followed
                    // by LF) within any protocol elements other than the content. A recipient of such a bare CR MUST
                    // consider that element to be invalid".
                    if (b != '\n') throw bad("a CR not followed by LF");
                    done = endOfLine();
                } else if (b == '\r') {
                    sawCr = true;
                } else if (b == '\n') {
                    // RFC 9112 §2.2: "a recipient MAY recognize a single LF as a line terminator".
                    done = endOfLine();
                } else {
                    append(b);
                }
                if (done != null) return done;
            }
            return null;
        } catch (Http1Exception e) {
            state = State.FAILED;
            throw e;
        }
    }

    /** Whether no byte of a request has been consumed since the last one (EOF here is a clean close). */
    public boolean idle() {
        return state == State.REQUEST_LINE && lineLength == 0 && !sawCr;
    }

    /**
     * True, once, when the request being read asked for {@code Expect: 100-continue} and its body has not started:
     * the caller then sends {@code 100 Continue} (RFC 9110 §10.1.1) so the client sends the body.
     */
    public boolean takeContinue() {
        if (state != State.BODY || !expectContinue || bodyFilled > 0) return false;
        expectContinue = false;
        return true;
    }

    private void append(byte b) throws Http1Exception {
        if (state == State.REQUEST_LINE) requestLineByte(b);
        if (state == State.REQUEST_LINE && lineLength + 1 > limits.maxRequestLineBytes()) {
            throw new Http1Exception(414, "request line longer than " + limits.maxRequestLineBytes() + " bytes");
        }
        if (state == State.FIELDS && headerBytes + lineLength + 1 + 2 > limits.maxHeaderBytes()) {
            throw new Http1Exception(431, "header section larger than " + limits.maxHeaderBytes() + " bytes");
        }
        if (lineLength == line.length) {
            int max = Math.max(limits.maxRequestLineBytes(), limits.maxHeaderBytes());
            line = java.util.Arrays.copyOf(line, Math.min(max, line.length * 2));
        }
        line[lineLength++] = b;
    }

    /**
     * The request line's character rules, checked as each byte arrives rather than at the line's end (where
     * {@link #requestLine} checks what needs the whole line): a TLS ClientHello sent to this plain-HTTP port (an
     * {@code https://} URL), or binary noise, may hold no line end at all, and would wait out the request timeout
     * for a 408 instead of getting its 400 at its first byte. Byte by byte, so the answer does not depend on where
     * the input was split.
     */
    private void requestLineByte(byte b) throws Http1Exception {
        if (b == ' ') {
            methodRead = true;
        } else if (!methodRead && !tchar(b)) {
            throw bad("the method is not a token"); // RFC 9110 §9.1: method = token
        } else if (!methodRead && lineLength >= MAX_METHOD_BYTES) {
            throw new Http1Exception(501, "a method longer than " + MAX_METHOD_BYTES + " bytes: none is served here");
        } else if (b < 0x21 || b > 0x7E) {
            // Target and version are visible US-ASCII (RFC 3986, RFC 9112 §2.3); single SPs between them.
            throw bad("the request line has a byte outside visible US-ASCII");
        }
    }

    private Http1Request endOfLine() throws Http1Exception {
        int n = lineLength;
        lineLength = 0;
        if (state == State.REQUEST_LINE) {
            methodRead = false;
            if (n == 0) {
                if (++emptyLines > MAX_EMPTY_LINES) throw bad("more than " + MAX_EMPTY_LINES + " empty lines");
                return null;
            }
            requestLine(n);
            state = State.FIELDS;
            return null;
        }
        if (n > 0) {
            fieldLine(n);
            return null;
        }
        return endOfHeaders();
    }

    /** RFC 9112 §3: {@code request-line = method SP request-target SP HTTP-version}, single spaces. */
    private void requestLine(int n) throws Http1Exception {
        int sp1 = indexOf(' ', 0, n);
        int sp2 = sp1 < 0 ? -1 : indexOf(' ', sp1 + 1, n);
        if (sp1 <= 0 || sp2 < 0 || indexOf(' ', sp2 + 1, n) >= 0) {
            throw bad("the request line is not METHOD SP TARGET SP VERSION");
        }
        String v = ascii(sp2 + 1, n);
        if (!v.equals("HTTP/1.1") && !v.equals("HTTP/1.0")) {
            // RFC 9112 §2.3: HTTP-version = "HTTP" "/" DIGIT "." DIGIT, case-sensitive.
            boolean wellFormed = v.length() == 8 && v.startsWith("HTTP/") && isDigit(v.charAt(5))
                    && v.charAt(6) == '.' && isDigit(v.charAt(7));
            if (wellFormed) throw new Http1Exception(505, "only HTTP/1.1 and HTTP/1.0 are served here");
            throw bad("the request line does not end with an HTTP version");
        }
        // The method's token characters and the target's visible US-ASCII were checked byte by byte as they
        // arrived (requestLineByte); what is left to check needs the whole line.
        if (sp2 == sp1 + 1) throw bad("empty request target");
        // A fragment is never sent (RFC 9112 §3.2).
        if (indexOf('#', sp1 + 1, sp2) >= 0) throw bad("the request target has a '#'");
        method = ascii(0, sp1);
        target = ascii(sp1 + 1, sp2);
        version = v;
        splitTarget();
    }

    /** RFC 9112 §3.2: origin-form, absolute-form (which a server "MUST accept"), asterisk-form for OPTIONS. */
    private void splitTarget() throws Http1Exception {
        String rest;
        if (target.startsWith("/")) {
            rest = target;
        } else if (target.equals("*")) {
            if (!method.equals("OPTIONS")) throw bad("the asterisk form is for OPTIONS only");
            path = "*";
            query = null;
            return;
        } else if (target.regionMatches(true, 0, "http://", 0, 7) || target.regionMatches(true, 0, "https://", 0, 8)) {
            int authority = target.indexOf("//") + 2;
            int end = authority;
            while (end < target.length() && target.charAt(end) != '/' && target.charAt(end) != '?') end++;
            if (end == authority) throw bad("an absolute-form target without a host");
            rest = end == target.length() ? "/" : target.charAt(end) == '?' ? "/" + target.substring(end)
                    : target.substring(end);
        } else {
            throw bad("the request target is neither /path nor http://host/path");
        }
        int q = rest.indexOf('?');
        query = q < 0 ? null : rest.substring(q + 1);
        path = percentDecode(q < 0 ? rest : rest.substring(0, q));
    }

    /** RFC 3986 §2.1 percent-decoding to UTF-8; a malformed escape is a 400, malformed UTF-8 becomes U+FFFD. */
    static String percentDecode(String raw) throws Http1Exception {
        if (raw.indexOf('%') < 0) return raw;
        ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c != '%') {
                out.write(c);
                continue;
            }
            int hi = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
            int lo = hi < 0 ? -1 : Character.digit(raw.charAt(i + 2), 16);
            if (lo < 0) throw bad("a '%' in the path not followed by two hex digits");
            out.write(hi << 4 | lo);
            i += 2;
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** RFC 9112 §5: {@code field-line = field-name ":" OWS field-value OWS}. */
    private void fieldLine(int n) throws Http1Exception {
        // RFC 9112 §5.2: "A server that receives an obs-fold in a request message ... MUST either reject the message
        // by sending a 400 (Bad Request) ... or replace each received obs-fold with one or more SP octets".
        if (line[0] == ' ' || line[0] == '\t') throw bad("obsolete line folding in the header section");
        int colon = 0;
        while (colon < n && line[colon] != ':') {
            if (!tchar(line[colon])) {
                // RFC 9112 §5.1: "No whitespace is allowed between the field name and colon. ... A server MUST reject
                // ... any received request message that contains whitespace between a header field name and colon
                // with a response status code of 400 (Bad Request)."
                throw bad(line[colon] == ' ' || line[colon] == '\t' ? "whitespace between a field name and its colon"
                        : "a header field name that is not a token, or a line without a colon");
            }
            colon++;
        }
        if (colon == 0 || colon == n) throw bad("a header field line without a name and a colon");
        int start = colon + 1;
        int end = n;
        while (start < end && (line[start] == ' ' || line[start] == '\t')) start++;
        while (end > start && (line[end - 1] == ' ' || line[end - 1] == '\t')) end--;
        for (int i = start; i < end; i++) {
            int c = line[i] & 0xFF;
            // RFC 9110 §5.5: field-value = *field-content: VCHAR, obs-text, SP, HTAB. "Field values containing CR,
            // LF, or NUL characters are invalid and dangerous"; other controls are not allowed either.
            if ((c < 0x20 && c != '\t') || c == 0x7F) throw bad("a control character in a header field value");
        }
        if (fields.size() == limits.maxHeaderFields()) {
            throw new Http1Exception(431, "more than " + limits.maxHeaderFields() + " header fields");
        }
        headerBytes += n + 2;
        fields.add(new Http1Request.Field(ascii(0, colon),
                new String(line, start, end - start, StandardCharsets.ISO_8859_1)));
    }

    /** The message framing, decided from the fields in the order of RFC 9112 §6.3. */
    private Http1Request endOfHeaders() throws Http1Exception {
        boolean http11 = version.equals("HTTP/1.1");
        int hosts = 0;
        String host = "";
        for (Http1Request.Field f : fields) {
            if (f.name().equalsIgnoreCase("Host")) {
                hosts++;
                host = f.value();
            }
        }
        // RFC 9112 §3.2: "A server MUST respond with a 400 (Bad Request) status code to any HTTP/1.1 request message
        // that lacks a Host header field and to any request message that contains more than one Host header field
        // line".
        if (http11 && hosts == 0) throw bad("an HTTP/1.1 request without Host");
        if (hosts > 1) throw bad("more than one Host field");
        // ... "or a Host header field with an invalid field-value".
        if (!validHost(host)) throw bad("the Host field is not host[:port]");

        List<String> codings = listValues("Transfer-Encoding");
        if (!codings.isEmpty() || values("Transfer-Encoding") > 0) {
            // RFC 9112 §6.1: "A server or client that receives an HTTP/1.0 message containing a Transfer-Encoding
            // header field MUST treat the message as if the framing is faulty".
            if (!http11) throw bad("Transfer-Encoding in an HTTP/1.0 request");
            // RFC 9112 §6.3 (4): "If a Transfer-Encoding header field is present in a request and the chunked
            // transfer coding is not the final encoding, ... the server MUST respond with the 400 (Bad Request)".
            if (codings.isEmpty() || !codings.getLast().equals("chunked")) {
                throw bad("Transfer-Encoding whose final coding is not chunked");
            }
            // RFC 9112 §6.1: "A sender MUST NOT apply the chunked transfer coding more than once to a message body":
            // a faulty framing (400), not a coding we lack (501).
            if (codings.indexOf("chunked") != codings.size() - 1) throw bad("chunked applied more than once");
            // RFC 9112 §6.1: "A server that receives a request message with a transfer coding it does not understand
            // SHOULD respond with 501 (Not Implemented)."
            if (codings.size() > 1) throw new Http1Exception(501, "transfer codings other than chunked");
            // RFC 9110 §15.5.12: 411 "the server refuses to accept the request without a defined Content-Length".
            throw new Http1Exception(411, "chunked request bodies are not accepted here; send Content-Length");
        }

        long length = 0;
        boolean seen = false;
        for (String v : contentLengthMembers()) {
            long n = contentLength(v);
            // RFC 9110 §8.6: a list of identical values may be taken as one; different ones are a framing error.
            if (seen && n != length) throw bad("different Content-Length values");
            length = n;
            seen = true;
        }
        if (length > limits.maxBodyBytes()) {
            throw new Http1Exception(413, "request body larger than " + limits.maxBodyBytes() + " bytes");
        }

        String expect = null;
        for (String e : listValues("Expect")) {
            // RFC 9110 §10.1.1: "A server that receives an Expect field value containing a member other than
            // 100-continue MAY respond with a 417 (Expectation Failed) status code".
            if (!e.equals("100-continue")) throw new Http1Exception(417, "the only expectation served is 100-continue");
            expect = e;
        }
        // "A server that receives a 100-continue expectation in an HTTP/1.0 request MUST ignore that expectation."
        expectContinue = expect != null && http11 && length > 0;

        if (length == 0) return finish();
        bodyLength = (int) length;
        body = new byte[Math.min(bodyLength, INITIAL_BODY)];
        bodyFilled = 0;
        state = State.BODY;
        return null;
    }

    /** RFC 9110 §8.6: {@code Content-Length = 1*DIGIT}; absurdly long numbers are just "too large". */
    private long contentLength(String v) throws Http1Exception {
        if (v.isEmpty()) throw bad("an empty Content-Length");
        long n = 0;
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (!isDigit(c)) throw bad("a Content-Length that is not a number");
            n = n > Long.MAX_VALUE / 10 - 10 ? Long.MAX_VALUE / 2 : n * 10 + (c - '0');
        }
        return n;
    }

    private boolean readBody(ByteBuffer in) {
        int n = Math.min(in.remaining(), bodyLength - bodyFilled);
        if (bodyFilled + n > body.length) {
            body = java.util.Arrays.copyOf(body, Math.min(bodyLength, Math.max(body.length * 2, bodyFilled + n)));
        }
        in.get(body, bodyFilled, n);
        bodyFilled += n;
        return bodyFilled == bodyLength;
    }

    private Http1Request finish() {
        ByteBuffer b = body == null ? null : ByteBuffer.wrap(body, 0, bodyFilled).slice();
        Http1Request r = new Http1Request(method, target, path, query, version, fields, b);
        // Ready for the next request on the connection; an oversized line buffer is not kept for an idle one.
        state = State.REQUEST_LINE;
        if (line.length > 4 * INITIAL_LINE) line = new byte[INITIAL_LINE];
        lineLength = 0;
        emptyLines = 0;
        method = target = path = query = version = null;
        fields.clear();
        headerBytes = 0;
        body = null;
        bodyLength = bodyFilled = 0;
        expectContinue = false;
        return r;
    }

    /**
     * Every Content-Length value, a field line's comma-separated list split ({@code 3, 3}: RFC 9110 §8.6 lets a
     * recipient take identical values as one). Unlike other lists, an empty member is refused, not skipped:
     * {@code Content-Length: 2,} or an empty line beside {@code Content-Length: 2} is a framing another parser may
     * read differently (request smuggling), so it is a 400 (RFC 9112 §6.3: an invalid Content-Length is "an
     * unrecoverable error").
     */
    private List<String> contentLengthMembers() throws Http1Exception {
        List<String> out = new ArrayList<>(1);
        for (Http1Request.Field f : fields) {
            if (!f.name().equalsIgnoreCase("Content-Length")) continue;
            for (String m : f.value().split(",", -1)) {
                String t = m.strip();
                if (t.isEmpty()) throw bad("an empty Content-Length");
                out.add(t);
            }
        }
        return out;
    }

    /**
     * RFC 9112 §3.2: {@code Host = uri-host [ ":" port ]}, RFC 3986 §3.2.2: a reg-name or IPv4 address
     * (unreserved, sub-delims, pct-encoded), or an IP literal in brackets; the port digits. Empty is allowed (a
     * target without an authority).
     */
    static boolean validHost(String v) {
        int i = 0;
        int n = v.length();
        if (n > 0 && v.charAt(0) == '[') {
            int close = v.indexOf(']');
            if (close < 2) return false;
            for (i = 1; i < close; i++) if (!hostChar(v.charAt(i)) && v.charAt(i) != ':') return false;
            i = close + 1;
        } else {
            for (; i < n && v.charAt(i) != ':'; i++) {
                char c = v.charAt(i);
                if (c == '%') {
                    if (i + 2 >= n || Character.digit(v.charAt(i + 1), 16) < 0
                            || Character.digit(v.charAt(i + 2), 16) < 0) return false;
                    i += 2;
                } else if (!hostChar(c)) {
                    return false;
                }
            }
        }
        if (i == n) return true;
        if (v.charAt(i) != ':') return false;
        for (int j = i + 1; j < n; j++) if (!isDigit(v.charAt(j))) return false;
        return true;
    }

    /** RFC 3986 §2.2, §2.3: unreserved or sub-delims. */
    private static boolean hostChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || isDigit(c) || "-._~!$&'()*+,;=".indexOf(c) >= 0;
    }

    /** The comma-separated members of every field line called {@code name}, trimmed, lower-cased, empties dropped. */
    private List<String> listValues(String name) {
        List<String> out = new ArrayList<>(1);
        for (Http1Request.Field f : fields) {
            if (!f.name().equalsIgnoreCase(name)) continue;
            for (String m : f.value().split(",")) {
                String t = m.strip().toLowerCase(Locale.ROOT);
                if (!t.isEmpty()) out.add(t);
            }
        }
        return out;
    }

    private int values(String name) {
        int n = 0;
        for (Http1Request.Field f : fields) if (f.name().equalsIgnoreCase(name)) n++;
        return n;
    }

    private int indexOf(char c, int from, int to) {
        for (int i = from; i < to; i++) if (line[i] == c) return i;
        return -1;
    }

    private String ascii(int from, int to) {
        return new String(line, from, to - from, StandardCharsets.ISO_8859_1);
    }

    private static boolean tchar(byte b) {
        return b >= 0 && TCHAR[b];
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static Http1Exception bad(String reason) {
        return new Http1Exception(400, reason);
    }
}
