package dev.streamlab.http1;

import dev.streamlab.http.range.HttpDate;
import dev.streamlab.shared.json.Json;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A response head: status line and header fields, encoded as RFC 9112 §4 and §5 write them.
 *
 * <pre>
 *   HTTP/1.1 206 Partial Content\r\n
 *   Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n      added unless set: RFC 9110 §6.6.1, an origin server with a clock
 *   Content-Range: bytes 0-1/692874\r\n           MUST send Date in 2xx, 3xx and 4xx responses
 *   Content-Length: 2\r\n
 *   \r\n
 * </pre>
 *
 * <p>Handlers mostly set fields through {@link Http1Exchange}; an {@link UpgradeHandler} builds its own
 * ({@code 101 Switching Protocols}, or a refusal) and sends it with {@link Http1Upgrade#respond}. Names must be
 * tokens and values free of CR, LF and NUL, so no value can split the response (CWE-113).
 */
public final class Http1Response {
    private static final Map<Integer, String> REASONS = Map.ofEntries(
            Map.entry(100, "Continue"), Map.entry(101, "Switching Protocols"), Map.entry(200, "OK"),
            Map.entry(204, "No Content"), Map.entry(206, "Partial Content"), Map.entry(301, "Moved Permanently"),
            Map.entry(302, "Found"), Map.entry(304, "Not Modified"), Map.entry(400, "Bad Request"),
            Map.entry(401, "Unauthorized"), Map.entry(403, "Forbidden"), Map.entry(404, "Not Found"),
            Map.entry(405, "Method Not Allowed"), Map.entry(408, "Request Timeout"), Map.entry(410, "Gone"),
            Map.entry(411, "Length Required"), Map.entry(412, "Precondition Failed"),
            Map.entry(413, "Content Too Large"), Map.entry(414, "URI Too Long"),
            Map.entry(415, "Unsupported Media Type"), Map.entry(416, "Range Not Satisfiable"),
            Map.entry(417, "Expectation Failed"), Map.entry(422, "Unprocessable Content"),
            Map.entry(426, "Upgrade Required"), Map.entry(429, "Too Many Requests"),
            Map.entry(431, "Request Header Fields Too Large"), Map.entry(500, "Internal Server Error"),
            Map.entry(501, "Not Implemented"), Map.entry(503, "Service Unavailable"),
            Map.entry(505, "HTTP Version Not Supported"));

    /** The Date value for the current second; formatting once a second instead of once a response. */
    private record DateLine(long epochSecond, String value) {}

    private static volatile DateLine date = new DateLine(0, "");

    private int status;
    private final List<Http1Request.Field> fields = new ArrayList<>(8);

    /** @throws IllegalArgumentException unless {@code 100 <= status <= 599} */
    public Http1Response(int status) {
        status(status);
    }

    public int status() {
        return status;
    }

    /** Sets the status. */
    public Http1Response status(int status) {
        if (status < 100 || status > 599) throw new IllegalArgumentException("status " + status);
        this.status = status;
        return this;
    }

    /** Sets field {@code name} to {@code value}, replacing any field of that name. */
    public Http1Response set(String name, String value) {
        remove(name);
        return add(name, value);
    }

    /** Adds a field line, keeping others of the same name. */
    public Http1Response add(String name, String value) {
        checkName(name);
        checkValue(value);
        fields.add(new Http1Request.Field(name, value));
        return this;
    }

    /** Removes every field called {@code name}. */
    public Http1Response remove(String name) {
        fields.removeIf(f -> f.name().equalsIgnoreCase(name));
        return this;
    }

    /** The first value of field {@code name}, or null. */
    public String get(String name) {
        for (Http1Request.Field f : fields) if (f.name().equalsIgnoreCase(name)) return f.value();
        return null;
    }

    /** The head as US-ASCII bytes, ending with the empty line: a fresh heap buffer ready to write. */
    public ByteBuffer encode() {
        // Bytes written straight into one array: field names and values are already checked to be single-byte
        // (ISO-8859-1) text, so a StringBuilder, its String and getBytes() were three copies of every head.
        String reason = reasonPhrase(status);
        String date = get("Date") == null ? now() : null;
        int length = 9 + 3 + 1 + reason.length() + 2 + (date == null ? 0 : 6 + date.length() + 2) + 2;
        for (Http1Request.Field f : fields) length += f.name().length() + 2 + f.value().length() + 2;
        byte[] out = new byte[length];
        int p = put(out, 0, "HTTP/1.1 ");
        out[p++] = (byte) ('0' + status / 100 % 10);
        out[p++] = (byte) ('0' + status / 10 % 10);
        out[p++] = (byte) ('0' + status % 10);
        out[p++] = ' ';
        p = crlf(out, put(out, p, reason));
        if (date != null) p = crlf(out, put(out, put(out, p, "Date: "), date));
        for (Http1Request.Field f : fields) p = crlf(out, put(out, put(out, put(out, p, f.name()), ": "), f.value()));
        crlf(out, p);
        return ByteBuffer.wrap(out);
    }

    private static int put(byte[] out, int at, String latin1) {
        for (int i = 0, n = latin1.length(); i < n; i++) out[at + i] = (byte) latin1.charAt(i); // checked: <= 0xFF
        return at + latin1.length();
    }

    private static int crlf(byte[] out, int at) {
        out[at] = '\r';
        out[at + 1] = '\n';
        return at + 2;
    }

    /** The reason phrase for a status (RFC 9110 §15), or an empty one, which RFC 9112 §4 allows. */
    public static String reasonPhrase(int status) {
        return REASONS.getOrDefault(status, "");
    }

    /**
     * A complete JSON error response, {@code {"error": reason, "status": n}}, the format every error of phases 2 and
     * 3 has, as head and body buffers for one gathering write.
     */
    static ByteBuffer[] error(int status, String reason, boolean close) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", status);
        m.put("error", reason);
        byte[] body = Json.pretty(m).getBytes(StandardCharsets.UTF_8);
        Http1Response r = new Http1Response(status).set("Content-Type", "application/json")
                .set("Cache-Control", "no-store").set("Content-Length", Integer.toString(body.length));
        if (close) r.set("Connection", "close");
        return new ByteBuffer[] {r.encode(), ByteBuffer.wrap(body)};
    }

    private static String now() {
        long s = System.currentTimeMillis() / 1000;
        DateLine d = date;
        if (d.epochSecond() != s) {
            d = new DateLine(s, HttpDate.format(Instant.ofEpochSecond(s)));
            date = d;
        }
        return d.value();
    }

    private static void checkName(String name) {
        if (name.isEmpty()) throw new IllegalArgumentException("empty field name");
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!ok) throw new IllegalArgumentException("field name '" + name + "' is not a token");
        }
    }

    private static void checkValue(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7F || c > 0xFF) {
                throw new IllegalArgumentException("character " + (int) c + " not allowed in a field value");
            }
        }
    }
}
