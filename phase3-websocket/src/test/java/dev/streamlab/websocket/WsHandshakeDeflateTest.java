package dev.streamlab.websocket;

import static dev.streamlab.websocket.WsHandshakeTest.accepted;
import static dev.streamlab.websocket.WsHandshakeTest.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.websocket.deflate.PerMessageDeflate;
import dev.streamlab.websocket.frame.FrameWriter;
import dev.streamlab.websocket.frame.WsOpcode;
import java.nio.ByteBuffer;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The handshake with permessage-deflate: accepted when configured and offered, declined (never refused) otherwise. */
class WsHandshakeDeflateTest {
    static final WsHandshake WITH_DEFLATE = WsHandshake.sameOrigin().withPermessageDeflate(PerMessageDeflate.Config.DEFAULT);

    static Map<String, String> offering(String extensions) {
        Map<String, String> h = request();
        h.put("Sec-WebSocket-Extensions", extensions);
        return h;
    }

    @Test
    void chromiumsOfferIsAgreedAndAnswered() {
        WsHandshake.Accept a = accepted(WITH_DEFLATE, offering("permessage-deflate; client_max_window_bits"));
        assertEquals("permessage-deflate", a.headers().get("Sec-WebSocket-Extensions"));
        assertTrue(a.deflate().isPresent());
        assertFalse(a.deflate().orElseThrow().serverNoContextTakeover());
    }

    @Test
    void aPolicyWithoutDeflateIgnoresTheOffer() {
        WsHandshake.Accept a = accepted(WsHandshake.sameOrigin(), offering("permessage-deflate"));
        assertFalse(a.headers().containsKey("Sec-WebSocket-Extensions"));
        assertTrue(a.deflate().isEmpty());
    }

    @Test
    void anOfferWeCannotHonourIsDeclinedNotRefused() {
        // RFC 7692 §7.1: a server declines; the connection opens without the extension
        WsHandshake.Accept a = accepted(WITH_DEFLATE, offering("permessage-deflate; server_max_window_bits=10"));
        assertFalse(a.headers().containsKey("Sec-WebSocket-Extensions"));
        assertTrue(a.deflate().isEmpty());
        WsHandshake.Accept bad = accepted(WITH_DEFLATE, offering("permessage-deflate; bogus=1"));
        assertTrue(bad.deflate().isEmpty());
    }

    @Test
    void noOfferNoExtension() {
        WsHandshake.Accept a = accepted(WITH_DEFLATE, request());
        assertFalse(a.headers().containsKey("Sec-WebSocket-Extensions"));
    }

    @Test
    void frameWriterSetsRsv1OnlyOnDataFrames() {
        FrameWriter w = FrameWriter.server();
        ByteBuffer[] pair = w.frame(true, true, WsOpcode.TEXT, ByteBuffer.wrap(new byte[]{0}));
        assertEquals((byte) 0xC1, pair[0].get(0), "FIN + RSV1 + TEXT");
        pair = w.frame(true, WsOpcode.TEXT, ByteBuffer.wrap(new byte[]{0}));
        assertEquals((byte) 0x81, pair[0].get(0), "no RSV1 by default");
        assertThrows(IllegalArgumentException.class, () -> w.frame(true, true, WsOpcode.PING, ByteBuffer.allocate(0)),
                "RFC 7692 §6.1: control frames are never compressed");
    }
}
