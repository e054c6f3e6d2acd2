package dev.streamlab.http1;

import dev.streamlab.http.io.ByteProvenance;
import dev.streamlab.shared.json.Json;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One request and its response, as a handler sees them: set fields, {@link #sendHeaders} once, then write exactly
 * Content-Length body bytes with {@link #write} (buffers) and {@link #transferFrom} (file regions, sendfile).
 *
 * <p>The response head is not sent by {@code sendHeaders} when a body follows: it waits for the first body write and
 * goes out in the same gathering write, so a small response is one system call, and a multipart/byteranges
 * response sends the head with its first part header.
 *
 * <p>Keep-alive is decided here (RFC 9112 §9.3): the connection stays open after this response unless the client
 * asked to close, the handler set {@code Connection: close}, the server is stopping, or the body was left short. A
 * response to HTTP/1.0 carries {@code Connection: keep-alive} when it stays open.
 *
 * <p>Not thread-safe: one handler thread uses it.
 */
public final class Http1Exchange {
    /** Large heap bodies are written in windows, so the JDK's temporary direct buffer per write stays small. */
    private static final int WINDOW = 64 * 1024;

    private final Http1Request request;
    private final Http1Connection connection;
    private final Http1Response response = new Http1Response(200);
    private final long startNanos = System.nanoTime();
    private boolean committed;
    private boolean keepAlive;
    private boolean upgraded;
    private ByteBuffer pendingHead;
    private long remaining;
    private long bodyBytes;
    private boolean fromFile; // some body went out with transferFrom
    private long firstByteNanos;

    Http1Exchange(Http1Request request, Http1Connection connection) {
        this.request = request;
        this.connection = connection;
    }

    public Http1Request request() {
        return request;
    }

    public String method() {
        return request.method();
    }

    /** Whether this is a HEAD request: send the headers a GET would get, and no body (RFC 9110 §9.3.2). */
    public boolean head() {
        return request.method().equals("HEAD");
    }

    public InetSocketAddress remoteAddress() {
        return connection.remoteAddress();
    }

    /**
     * Sets a response field, replacing one of the same name. {@code Content-Length}, {@code Date} and
     * {@code Connection} are set by {@link #sendHeaders} (a {@code Connection: close} set here is honoured).
     *
     * @throws IllegalStateException after {@link #sendHeaders}
     */
    public void header(String name, String value) {
        if (committed) throw new IllegalStateException("the response head is already sent");
        response.set(name, value);
    }

    /**
     * Commits the status and header fields.
     *
     * @param status        200..599 (a 101 goes through {@link #upgrade})
     * @param contentLength the body length, which a HEAD response states without sending; -1 for none, which only
     *                      204 and 304 may use (this server never sends a chunked response)
     * @throws IllegalStateException    if called twice
     * @throws IllegalArgumentException for a status outside 200..599, or -1 with another status
     */
    public void sendHeaders(int status, long contentLength) throws IOException {
        if (committed) throw new IllegalStateException("sendHeaders called twice");
        if (status < 200 || status > 599) throw new IllegalArgumentException("status " + status);
        // RFC 9110 §8.6: "A server MUST NOT send a Content-Length header field in any response with a status code of
        // 1xx (Informational) or 204 (No Content)"; a 304's would describe the 200, so we send none either.
        boolean bodiless = status == 204 || status == 304;
        if (contentLength < 0 && !bodiless) {
            throw new IllegalArgumentException("a " + status + " needs a Content-Length");
        }
        committed = true;
        response.status(status);
        if (!bodiless) response.set("Content-Length", Long.toString(contentLength));
        keepAlive = request.keepAlive() && connection.acceptingMore()
                && !"close".equalsIgnoreCase(response.get("Connection"));
        if (!keepAlive) {
            response.set("Connection", "close");
        } else if (!request.http11()) {
            response.set("Connection", "keep-alive");
        }
        remaining = head() || bodiless ? 0 : contentLength;
        pendingHead = response.encode();
        if (remaining == 0) {
            write0(new ByteBuffer[0]);
            firstByteNanos = System.nanoTime();
        }
    }

    /**
     * Commits a response whose body has no declared length and ends when the server closes the connection
     * (RFC 9112 §6.3, rule 8) — for a stream of unknown length such as MJPEG's {@code multipart/x-mixed-replace}.
     * Sets {@code Connection: close}; write body bytes with {@link #write} until done, then return: the connection
     * closes after the handler. A HEAD gets the head alone.
     *
     * @throws IllegalStateException if the head is already committed
     */
    public void sendHeadersUntilClose(int status) throws IOException {
        if (committed) throw new IllegalStateException("sendHeaders called twice");
        if (status < 200 || status > 599 || status == 204 || status == 304) {
            throw new IllegalArgumentException("status " + status + " cannot carry a close-delimited body");
        }
        committed = true;
        response.status(status);
        response.set("Connection", "close");
        keepAlive = false;
        remaining = head() ? 0 : Long.MAX_VALUE;
        pendingHead = response.encode();
        if (remaining == 0) {
            write0(new ByteBuffer[0]);
            firstByteNanos = System.nanoTime();
        }
    }

    /** A whole small body (JSON, HTML, metrics), with Content-Type and {@code X-Content-Type-Options: nosniff}. */
    public void send(int status, String contentType, byte[] body) throws IOException {
        header("Content-Type", contentType);
        header("X-Content-Type-Options", "nosniff");
        sendHeaders(status, body.length);
        if (head()) return;
        for (int off = 0; off < body.length; off += WINDOW) {
            write(ByteBuffer.wrap(body, off, Math.min(WINDOW, body.length - off)));
        }
    }

    /** {@code value} as pretty JSON, not cached. */
    public void json(int status, Object value) throws IOException {
        header("Cache-Control", "no-store");
        send(status, "application/json", Json.pretty(value).getBytes(StandardCharsets.UTF_8));
    }

    /** A JSON error: {@code {"status": n, "error": message}}; every 4xx/5xx has a readable reason. */
    public void error(int status, String message) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", status);
        m.put("error", message);
        json(status, m);
    }

    /**
     * Writes body bytes (all remaining bytes of each buffer, in order), gathered into one system call with the
     * response head if it has not gone out yet.
     *
     * @throws IllegalStateException before {@link #sendHeaders}, or past Content-Length
     */
    public void write(ByteBuffer... buffers) throws IOException {
        if (!committed || upgraded) throw new IllegalStateException("sendHeaders first");
        long n = 0;
        for (ByteBuffer b : buffers) n += b.remaining();
        if (n > remaining) throw new IllegalStateException(n + " bytes more than the " + remaining + " still due");
        write0(buffers);
    }

    /**
     * Writes bytes {@code [position, position + count)} of {@code file} as body, with {@code FileChannel.transferTo}
     * (sendfile): 0 user-space copies, except for the chunks of the fallback taken when the socket buffer is full,
     * 1 each. {@link Http1Writer} explains both and how {@code provenance} shows them.
     *
     * @param provenance counts the body bytes sent and the user-space copies made
     * @throws IllegalStateException before {@link #sendHeaders}, or past Content-Length
     * @throws java.io.EOFException  when the file is shorter than {@code position + count}
     */
    public void transferFrom(FileChannel file, long position, long count, ByteProvenance provenance)
            throws IOException {
        if (!committed || upgraded) throw new IllegalStateException("sendHeaders first");
        if (count > remaining) throw new IllegalStateException(count + " bytes more than the " + remaining + " due");
        if (pendingHead != null) write0(new ByteBuffer[0]);
        fromFile = true;
        connection.writer().transfer(file, position, count, provenance, this::sent);
    }

    /**
     * Hands the connection to {@code handler} when the request asks for an upgrade: HTTP/1.1 with an
     * {@code Upgrade} field (RFC 9110 §7.8: "A server that receives an Upgrade header field in an HTTP/1.0 request
     * MUST ignore that Upgrade field"). When it returns true the handler has answered (101 or a refusal) and
     * finished with the connection, and the server closes it; nothing more may be sent here.
     *
     * @return false when the request asks for no upgrade or the handler declined: answer it normally
     * @throws IllegalStateException after {@link #sendHeaders}
     */
    public boolean upgrade(UpgradeHandler handler) throws IOException {
        if (committed) throw new IllegalStateException("the response is already started");
        if (!request.http11() || request.header("Upgrade") == null) return false;
        Http1Upgrade u = connection.upgrade();
        boolean taken = false;
        try {
            taken = handler.upgrade(request, u);
        } finally {
            if (taken || u.touched()) {
                committed = upgraded = true;
                keepAlive = false;
                response.status(u.status() == 0 ? 101 : u.status());
            }
        }
        return upgraded;
    }

    /** Whether the status line has been committed (or the connection handed to an upgrade handler). */
    public boolean committed() {
        return committed;
    }

    /** The status sent (101 after an upgrade), or 0 before {@link #sendHeaders}. */
    public int status() {
        return committed ? response.status() : 0;
    }

    /** Whether some of the body went out with {@link #transferFrom} (sendfile), not from memory. */
    public boolean sentFromFile() {
        return fromFile;
    }

    /** Body bytes written so far. */
    public long bodyBytes() {
        return bodyBytes;
    }

    /** {@link System#nanoTime()} when the handler got the request. */
    public long startNanos() {
        return startNanos;
    }

    /** {@link System#nanoTime()} of the first body byte written (of the head, without a body), or 0. */
    public long firstByteNanos() {
        return firstByteNanos;
    }

    /**
     * Called by the connection after the handler: answers 500 if the handler sent nothing, and says whether the
     * connection may carry another request.
     */
    boolean finish() throws IOException {
        if (upgraded) return false;
        if (!committed) {
            error(500, "the handler sent no response");
            return false;
        }
        return keepAlive && remaining == 0 && pendingHead == null;
    }

    /** Writes the pending head, if any, and {@code body} in one gathering write; counts body bytes as they go. */
    private void write0(ByteBuffer[] body) throws IOException {
        ByteBuffer[] all = body;
        long[] headLeft = {0};
        if (pendingHead != null) {
            all = new ByteBuffer[body.length + 1];
            all[0] = pendingHead;
            System.arraycopy(body, 0, all, 1, body.length);
            headLeft[0] = pendingHead.remaining();
            pendingHead = null;
        }
        connection.writer().write(all, n -> {
            long h = Math.min(headLeft[0], n); // the head goes first; the rest of each call is body
            headLeft[0] -= h;
            sent(n - h);
        });
    }

    private void sent(long n) {
        if (n > 0 && firstByteNanos == 0) firstByteNanos = System.nanoTime();
        bodyBytes += n;
        remaining -= n;
    }
}
