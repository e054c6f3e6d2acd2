package dev.streamlab.websocket.server;

import dev.streamlab.websocket.WsEvent;
import dev.streamlab.websocket.WsLimits;
import java.io.IOException;

/**
 * What a WebSocket path does with its connections: {@code /ws/echo} echoes, a topic fans out, a stream pushes
 * video. The session loop ({@link WsSession}) owns reading, control frames and closing; an endpoint sees only
 * opened, complete data messages, and closed.
 */
public interface WsEndpoint {
    /** The connection is open (the 101 was sent); runs on the connection's own thread. */
    default void opened(WsConnection connection) throws IOException {}

    /**
     * A complete text or binary message. Its payload is a view valid only until this method returns: answer or
     * copy before returning.
     */
    void message(WsConnection connection, WsEvent message) throws IOException;

    /** The connection is gone (close handshake done, error, or the peer vanished). */
    default void closed(WsConnection connection, int code) {}

    /**
     * What a peer may send here, given the server's limits (by default, those). An endpoint that takes only short
     * commands says so, and a longer message fails with 1009 from its header (RFC 6455 §7.4.1), before its bytes
     * are buffered: a connection can then hold kilobytes, not the server's megabytes.
     */
    default WsLimits limits(WsLimits server) {
        return server;
    }
}
