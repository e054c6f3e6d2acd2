package dev.streamlab.http1;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One parsed HTTP/1.x request (RFC 9112), as {@link Http1Parser} produces it: checked syntax, limits applied, the
 * Content-Length body read in full.
 *
 * @param method  the method token, case-sensitive (RFC 9110 §9.1): {@code GET}, {@code HEAD}, ...
 * @param target  the request-target exactly as sent: {@code /videos/a?x=1}, {@code http://host/videos/a} or
 *                {@code *}
 * @param path    the target's path, percent-decoded ({@code %2f} is {@code /} here, {@code %00} a NUL: check
 *                before using it); {@code *} for an asterisk-form OPTIONS
 * @param query   the raw query after {@code ?}, not decoded, or null when there is none
 * @param version {@code HTTP/1.1} or {@code HTTP/1.0}
 * @param fields  the header fields in the order received, names as sent (compare them case-insensitively)
 * @param body    the body, read-only; empty without Content-Length
 */
public record Http1Request(String method, String target, String path, String query, String version,
                           List<Field> fields, ByteBuffer body) {
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0).asReadOnlyBuffer();

    /** One header field line: {@code name: value}, value without its surrounding whitespace. */
    public record Field(String name, String value) {
        public Field {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
        }
    }

    public Http1Request {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(version, "version");
        fields = List.copyOf(fields);
        body = body == null ? EMPTY : body.asReadOnlyBuffer();
    }

    /** The body as a fresh read-only view, positioned at its start (so reading it twice works). */
    @Override
    public ByteBuffer body() {
        return body.duplicate();
    }

    /** Body length in bytes. */
    public int bodyLength() {
        return body.remaining();
    }

    /** The body decoded as UTF-8 (malformed sequences become U+FFFD). */
    public String bodyText() {
        return StandardCharsets.UTF_8.decode(body()).toString();
    }

    /** Whether this is HTTP/1.1 (else HTTP/1.0). */
    public boolean http11() {
        return version.equals("HTTP/1.1");
    }

    /**
     * A header field's value; several field lines of one name joined with {@code ", "} as RFC 9110 §5.3 allows;
     * null when absent. Names compare case-insensitively.
     */
    public String header(String name) {
        String joined = null;
        for (Field f : fields) {
            if (f.name().equalsIgnoreCase(name)) joined = joined == null ? f.value() : joined + ", " + f.value();
        }
        return joined;
    }

    /** Every field line's value for {@code name}, in order. */
    public List<String> headers(String name) {
        List<String> values = new ArrayList<>(1);
        for (Field f : fields) if (f.name().equalsIgnoreCase(name)) values.add(f.value());
        return values;
    }

    /** Whether the comma-separated list in field {@code name} holds {@code token}, case-insensitively. */
    public boolean hasToken(String name, String token) {
        for (Field f : fields) {
            if (!f.name().equalsIgnoreCase(name)) continue;
            for (String t : f.value().split(",")) if (t.strip().equalsIgnoreCase(token)) return true;
        }
        return false;
    }

    /**
     * Whether the client wants the connection kept open after the response (RFC 9112 §9.3): HTTP/1.1 unless
     * {@code Connection: close}; HTTP/1.0 only with {@code Connection: keep-alive}.
     */
    public boolean keepAlive() {
        if (hasToken("Connection", "close")) return false;
        return http11() || hasToken("Connection", "keep-alive");
    }

    @Override
    public String toString() {
        return method + " " + (target.length() > 100 ? target.substring(0, 100) + "..." : target) + " " + version
                + " (" + fields.size() + " fields, " + bodyLength() + " body bytes)";
    }
}
