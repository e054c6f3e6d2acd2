package dev.streamlab.stream.ws;

import dev.streamlab.shared.json.JsonParser;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A client of the two segment-pushing endpoints, {@code /ws/stream} and {@code /ws/live/{channel}}, on the JDK's
 * WebSocket: every message received goes into a queue, in order. {@link #pause()} stops asking for messages (the JDK
 * client then stops reading the socket: a slow viewer).
 */
public final class StreamClient implements WebSocket.Listener, AutoCloseable {
    public sealed interface Msg {}

    public record Text(Map<String, Object> json) implements Msg {
        public String type() {
            return (String) json.get("type");
        }

        public double number(String key) {
            return ((Number) json.get(key)).doubleValue();
        }
    }

    public record Binary(SegmentHeader header, ByteBuffer payload) implements Msg {
        /** The fMP4 box type at the start of the payload ({@code ftyp} for an init segment, {@code moof} else). */
        public String firstBox() {
            byte[] b = new byte[4];
            payload.get(payload.position() + 4, b);
            return new String(b, StandardCharsets.US_ASCII);
        }

        public boolean media() {
            return header.kind() == SegmentHeader.Kind.MEDIA;
        }
    }

    public record Closed(int code, String reason) implements Msg {}

    final BlockingQueue<Msg> received = new LinkedBlockingQueue<>();
    private final StringBuilder text = new StringBuilder();
    private final ByteArrayOutputStream binary = new ByteArrayOutputStream();
    private volatile boolean paused;
    public final WebSocket ws;

    /** A {@code /ws/stream} client. */
    StreamClient(URI server) {
        this(server, StreamEndpoint.PATH);
    }

    /** A client of the endpoint at {@code path} on {@code server}, sending the server's own origin. */
    public StreamClient(URI server, String path) {
        ws = HttpClient.newHttpClient().newWebSocketBuilder()
                .header("Origin", "http://" + server.getAuthority())
                .buildAsync(URI.create("ws://" + server.getAuthority() + path), this).join();
    }

    public void send(String json) {
        ws.sendText(json, true).join();
    }

    public void pause() {
        paused = true;
    }

    public void resume() {
        paused = false;
        ws.request(1);
    }

    /** The next message, or fails after {@code timeout}. */
    public Msg next(Duration timeout) throws InterruptedException {
        Msg m = received.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (m == null) throw new AssertionError("nothing received in " + timeout);
        return m;
    }

    /** The next message, or null if none comes within {@code timeout}. */
    public Msg poll(Duration timeout) throws InterruptedException {
        return received.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The next binary message (text messages before it are skipped), or fails after {@code timeout}. */
    public Binary nextBinary(Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            Msg m = next(Duration.ofNanos(Math.max(1, end - System.nanoTime())));
            if (m instanceof Binary b) return b;
            if (m instanceof Closed c) throw new AssertionError("closed: " + c);
        }
    }

    /** The next media segment (text and init skipped). */
    public Binary nextMedia(Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            Binary b = nextBinary(Duration.ofNanos(Math.max(1, end - System.nanoTime())));
            if (b.media()) return b;
        }
    }

    /** The next text message of {@code type} (others skipped). */
    public Text nextText(String type, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            Msg m = next(Duration.ofNanos(Math.max(1, end - System.nanoTime())));
            if (m instanceof Text t && type.equals(t.type())) return t;
            if (m instanceof Closed c) throw new AssertionError("closed: " + c);
        }
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
        text.append(data);
        if (last) {
            try {
                received.add(new Text(JsonParser.parseObject(text.toString(), 1 << 20)));
            } catch (JsonParser.JsonException e) {
                throw new AssertionError("the server sent bad JSON: " + text, e);
            } finally {
                text.setLength(0);
            }
        }
        if (!paused) ws.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
        byte[] b = new byte[data.remaining()];
        data.get(b);
        binary.writeBytes(b);
        if (last) {
            ByteBuffer all = ByteBuffer.wrap(binary.toByteArray());
            binary.reset();
            received.add(new Binary(SegmentHeader.decode(all), all.position(SegmentHeader.LENGTH).slice()));
        }
        if (!paused) ws.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
        received.add(new Closed(code, reason));
        return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
        received.add(new Closed(1006, String.valueOf(error)));
    }

    @Override
    public void close() {
        ws.abort();
    }
}
