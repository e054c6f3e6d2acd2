package dev.streamlab.phase2;

import com.sun.net.httpserver.HttpExchange;
import dev.streamlab.shared.json.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * One request as the handlers see it: the exchange, plus what the access log and metrics need to know
 * afterwards (route, status, body bytes, time of the first body byte).
 */
final class Call {
    final HttpExchange exchange;
    final long startNanos = System.nanoTime();
    String route = "other";
    int status;
    long bodyBytes;
    long firstByteNanos;
    String note = ""; // e.g. the Range outcome, for the access log

    Call(HttpExchange exchange) {
        this.exchange = exchange;
    }

    String method() {
        return exchange.getRequestMethod();
    }

    boolean head() {
        return method().equals("HEAD");
    }

    /** A request header; repeated field lines joined with ", " as RFC 9110 §5.3 allows (If-None-Match lists). */
    String header(String name) {
        java.util.List<String> values = exchange.getRequestHeaders().get(name);
        if (values == null || values.isEmpty()) return null;
        return values.size() == 1 ? values.getFirst() : String.join(", ", values);
    }

    void setHeader(String name, String value) {
        exchange.getResponseHeaders().set(name, value);
    }

    /**
     * Sends the status line and headers. {@code length} is the exact body length (0 for none); HEAD never has a
     * body but keeps the Content-Length a GET would have (RFC 9110 §9.3.2).
     */
    void sendHeaders(int status, long length) throws IOException {
        this.status = status;
        if (head() || length == 0 || status == 304 || status == 204) {
            // The JDK writes "Content-Length: 0" for 0 unless we set one; for HEAD we set the GET length, 0 too
            // for a 200 (an empty file), whose GET says "Content-Length: 0" (RFC 9110 §9.3.2: the same fields).
            if (head() && (length > 0 || status == 200)) {
                exchange.getResponseHeaders().set("Content-Length", Long.toString(length));
            }
            exchange.sendResponseHeaders(status, -1);
            firstByteNanos = System.nanoTime();
        } else {
            exchange.sendResponseHeaders(status, length);
        }
    }

    /** A whole small body (JSON, HTML, metrics) in one write. */
    void send(int status, String contentType, byte[] body) throws IOException {
        setHeader("Content-Type", contentType);
        setHeader("X-Content-Type-Options", "nosniff");
        sendHeaders(status, body.length);
        if (!head() && body.length > 0) {
            OutputStream out = exchange.getResponseBody();
            firstByteNanos = System.nanoTime();
            out.write(body);
            bodyBytes += body.length;
            out.close();
        }
    }

    /*
     * Why response streams are closed only after a complete write, never in a finally or try-with-resources:
     * closing the JDK's fixed-length body stream short of its Content-Length closes the exchange *from inside*
     * (FixedLengthOutputStream.close -> ExchangeImpl.close), and that nested close returns early without closing
     * the connection; the socket then stays open until the server stops. Measured: 200 clients hanging up
     * mid-download left 200 sockets open. Leaving the stream alone and calling HttpExchange.close() (Phase2Server
     * does, in its finally) takes the other path, which sees the short stream and closes the connection.
     */

    void json(int status, Object value) throws IOException {
        setHeader("Cache-Control", "no-store");
        send(status, "application/json", Json.pretty(value).getBytes(StandardCharsets.UTF_8));
    }

    /** A JSON error: {@code {"error": message, "status": n}}; every 4xx/5xx has a readable reason. */
    void error(int status, String message) throws IOException {
        json(status, Map.of("status", status, "error", message));
    }
}
