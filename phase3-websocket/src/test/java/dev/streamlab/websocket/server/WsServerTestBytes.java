package dev.streamlab.websocket.server;

import java.nio.ByteBuffer;

/** A buffer's remaining bytes as an array, without moving its position. */
final class WsServerTestBytes {
    private WsServerTestBytes() {}

    static byte[] of(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }
}
