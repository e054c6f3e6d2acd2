package dev.streamlab.websocket.hub;

import dev.streamlab.websocket.server.WsConnection;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Where one subscriber's messages go. Called only from that subscriber's own sender thread, one call at a time, so
 * a sink may block (a socket write to a slow reader) without delaying anyone else.
 */
public interface HubSink {
    /**
     * Sends one message.
     *
     * @param message what was published (text or binary, marked or not)
     * @param view    a fresh read-only view of the message's bytes, the sink's to consume or keep: a duplicate of
     *                the one buffer every subscriber shares, not a copy
     * @throws IOException when the subscriber is gone; the hub then ends this subscription
     */
    void deliver(HubMessage message, ByteBuffer view) throws IOException;

    /**
     * The hub gives up on this subscriber ({@link Overflow#DISCONNECT}: 1008 or 1013; hub shut down: 1001); after
     * this call nothing more is delivered.
     */
    default void close(int code, String reason) throws IOException {}

    /** A WebSocket connection: text messages as text frames, binary as binary, each one gathering write. */
    static HubSink of(WsConnection connection) {
        return new HubSink() {
            @Override
            public void deliver(HubMessage message, ByteBuffer view) throws IOException {
                if (message.isText()) {
                    connection.sendText(view);
                } else {
                    connection.sendBinary(view);
                }
            }

            @Override
            public void close(int code, String reason) throws IOException {
                connection.close(code, reason);
            }

            @Override
            public String toString() {
                return "WebSocket " + connection.remote();
            }
        };
    }
}
