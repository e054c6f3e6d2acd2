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

/** A {@code /ws/stream} client on the JDK's WebSocket: every message received goes into a queue, in order. */
final class StreamClient implements WebSocket.Listener, AutoCloseable {
    sealed interface Msg {}

    record Text(Map<String, Object> json) implements Msg {
        String type() {
            return (String) json.get("type");
        }
    }

    record Binary(SegmentHeader header, ByteBuffer payload) implements Msg {
        /** The fMP4 box type at the start of the payload ({@code ftyp} for an init segment, {@code moof} else). */
        String firstBox() {
            byte[] b = new byte[4];
            payload.get(payload.position() + 4, b);
            return new String(b, StandardCharsets.US_ASCII);
        }
    }

    record Closed(int code, String reason) implements Msg {}

    final BlockingQueue<Msg> received = new LinkedBlockingQueue<>();
    private final StringBuilder text = new StringBuilder();
    private final ByteArrayOutputStream binary = new ByteArrayOutputStream();
    final WebSocket ws;

    StreamClient(URI server) {
        ws = HttpClient.newHttpClient().newWebSocketBuilder()
                .header("Origin", "http://" + server.getAuthority())
                .buildAsync(URI.create("ws://" + server.getAuthority() + StreamEndpoint.PATH), this).join();
    }

    void send(String json) {
        ws.sendText(json, true).join();
    }

    /** The next message, or fails after {@code timeout}. */
    Msg next(Duration timeout) throws InterruptedException {
        Msg m = received.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (m == null) throw new AssertionError("nothing received in " + timeout);
        return m;
    }

    /** The next message, or null if none comes within {@code timeout}. */
    Msg poll(Duration timeout) throws InterruptedException {
        return received.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
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
        ws.request(1);
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
        ws.request(1);
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
