package dev.streamlab.websocket.server;

import dev.streamlab.websocket.WsEvent;
import java.io.IOException;

/**
 * {@code /ws/echo}: sends every message back as it came, text as text, binary as binary — the endpoint
 * Autobahn|Testsuite's fuzzing client drives, and what the conformance suite here drives over real sockets.
 */
public final class EchoEndpoint implements WsEndpoint {
    @Override
    public void message(WsConnection connection, WsEvent message) throws IOException {
        switch (message) {
            case WsEvent.Text t -> connection.sendText(t.payload());
            case WsEvent.Binary b -> connection.sendBinary(b.payload());
            default -> { } // control frames never reach an endpoint
        }
    }
}
