package dev.streamlab.websocket.server;

import dev.streamlab.websocket.WsEvent;
import java.io.IOException;

/**
 * {@code /ws/echo}: sends every message back as it came, text as text, binary as binary, compressed if it came
 * compressed (permessage-deflate, RFC 7692) — the endpoint Autobahn|Testsuite's fuzzing client drives, and what
 * the conformance suite here drives over real sockets.
 */
public final class EchoEndpoint implements WsEndpoint {
    @Override
    public void message(WsConnection connection, WsEvent message) throws IOException {
        switch (message) {
            case WsEvent.Text t -> connection.sendText(t.payload(), t.compressed());
            case WsEvent.Binary b -> connection.sendBinary(b.payload(), b.compressed());
            default -> { } // control frames never reach an endpoint
        }
    }
}
