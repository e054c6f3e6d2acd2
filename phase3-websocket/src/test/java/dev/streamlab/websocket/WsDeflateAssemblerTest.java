package dev.streamlab.websocket;

import static dev.streamlab.websocket.WsMessageAssemblerTest.bytes;
import static dev.streamlab.websocket.WsMessageAssemblerTest.concat;
import static dev.streamlab.websocket.WsMessageAssemblerTest.frame;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.websocket.deflate.DeflateEvents;
import dev.streamlab.websocket.deflate.MessageDeflater;
import dev.streamlab.websocket.deflate.PerMessageDeflate;
import dev.streamlab.websocket.frame.WsCloseException;
import dev.streamlab.websocket.frame.WsOpcode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** RFC 7692 on the receiving side: RSV1 rules, inflating across fragments, the limit on inflated bytes. */
class WsDeflateAssemblerTest {
    static final int TEXT = WsOpcode.TEXT.code(), BINARY = WsOpcode.BINARY.code(), CONT = WsOpcode.CONTINUATION.code();
    static final int RSV1 = 4;

    static WsMessageAssembler negotiated(WsLimits limits) {
        return WsMessageAssembler.server(limits, PerMessageDeflate.Agreement.defaults(), DeflateEvents.NONE);
    }

    static byte[] deflate(String text) {
        MessageDeflater d = new MessageDeflater(6, true, DeflateEvents.NONE);
        byte[] out = bytes(d.compress(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8))));
        d.end();
        return out;
    }

    /** Events as (type, compressed, text) strings; close codes as "fail NNNN". */
    static List<String> run(WsMessageAssembler in, byte[] wire) {
        List<String> seen = new ArrayList<>();
        ByteBuffer src = ByteBuffer.wrap(wire);
        try {
            for (WsEvent e; (e = in.next(src)) != null; ) {
                seen.add(switch (e) {
                    case WsEvent.Text t -> "text " + t.compressed() + " " + t.text();
                    case WsEvent.Binary b -> "binary " + b.compressed() + " " + b.payload().remaining();
                    case WsEvent.Ping p -> "ping";
                    case WsEvent.Pong p -> "pong";
                    case WsEvent.Close c -> "close " + c.code();
                });
            }
        } catch (WsCloseException e) {
            seen.add("fail " + e.closeCode());
        } finally {
            in.end();
        }
        return seen;
    }

    @Test
    void compressedTextIsInflatedAndMarked() {
        assertEquals(List.of("text true Hello", "text false plain"), run(negotiated(WsLimits.DEFAULT),
                concat(frame(true, RSV1, TEXT, deflate("Hello")), frame(true, TEXT, "plain"))));
    }

    @Test
    void fragmentedCompressedMessageWithPingBetweenFragments() {
        String text = "{\"type\":\"hello\",\"text\":\"héllo wörld 😀\"}".repeat(50);
        byte[] c = deflate(text);
        int a = c.length / 3, b = 2 * c.length / 3;
        byte[] wire = concat(frame(false, RSV1, TEXT, Arrays.copyOfRange(c, 0, a)),
                frame(true, 0, WsOpcode.PING.code(), new byte[0]),
                frame(false, 0, CONT, Arrays.copyOfRange(c, a, b)),
                frame(true, 0, CONT, Arrays.copyOfRange(c, b, c.length)));
        assertEquals(List.of("ping", "text true " + text), run(negotiated(WsLimits.DEFAULT), wire));
    }

    @Test
    void rsv1OnAContinuationFails1002() {
        byte[] c = deflate("Hello, Hello, Hello");
        assertEquals(List.of("fail 1002"), run(negotiated(WsLimits.DEFAULT), concat(
                frame(false, RSV1, TEXT, Arrays.copyOfRange(c, 0, 3)), frame(true, RSV1, CONT, Arrays.copyOfRange(c, 3, c.length)))));
    }

    @Test
    void rsv1OnControlFramesFails1002() {
        for (WsOpcode op : new WsOpcode[]{WsOpcode.PING, WsOpcode.PONG, WsOpcode.CLOSE}) {
            assertEquals(List.of("fail 1002"), run(negotiated(WsLimits.DEFAULT), frame(true, RSV1, op.code(), new byte[0])), op.name());
        }
    }

    @Test
    void rsv2AndRsv3StayReservedWithTheExtension() {
        assertEquals(List.of("fail 1002"), run(negotiated(WsLimits.DEFAULT), frame(true, 2, TEXT, new byte[0])));
        assertEquals(List.of("fail 1002"), run(negotiated(WsLimits.DEFAULT), frame(true, RSV1 | 1, TEXT, deflate("x"))));
    }

    @Test
    void rsv1WithoutTheExtensionFails1002() {
        assertEquals(List.of("fail 1002"), run(WsMessageAssembler.server(WsLimits.DEFAULT), frame(true, RSV1, TEXT, deflate("Hello"))));
    }

    @Test
    void zipBombFails1009AgainstTheInflatedSize() {
        byte[] bomb = deflate("\0".repeat(4 << 20)); // 4 MiB of zeros: ~4 KiB on the wire
        assertTrue(bomb.length < 8 * 1024);
        WsLimits limits = new WsLimits(64 * 1024, 64 * 1024);
        assertEquals(List.of("fail 1009"), run(negotiated(limits), frame(true, RSV1, BINARY, bomb)));
    }

    @Test
    void corruptDeflateFails1007() {
        assertEquals(List.of("fail 1007"), run(negotiated(WsLimits.DEFAULT), frame(true, RSV1, BINARY, new byte[]{(byte) 0xFF, 0x12, 0x34})));
    }

    @Test
    void invalidUtf8InsideCompressedTextFails1007() {
        MessageDeflater d = new MessageDeflater(6, false, DeflateEvents.NONE);
        byte[] c = bytes(d.compress(ByteBuffer.wrap(new byte[]{'o', 'k', (byte) 0xC0, (byte) 0xAF})));
        d.end();
        assertEquals(List.of("fail 1007"), run(negotiated(WsLimits.DEFAULT), frame(true, RSV1, TEXT, c)));
    }

    @Test
    void contextTakeoverAcrossMessages() throws WsCloseException {
        MessageDeflater d = new MessageDeflater(6, false, DeflateEvents.NONE);
        WsMessageAssembler in = negotiated(WsLimits.DEFAULT);
        for (int i = 0; i < 5; i++) {
            String m = "{\"seq\":" + i + ",\"type\":\"metrics\",\"viewers\":12}";
            ByteBuffer src = ByteBuffer.wrap(frame(true, RSV1, TEXT, bytes(d.compress(ByteBuffer.wrap(m.getBytes(StandardCharsets.UTF_8))))));
            WsEvent.Text t = assertInstanceOf(WsEvent.Text.class, in.next(src));
            assertEquals(m, t.text());
            assertTrue(t.compressed());
            assertFalse(src.hasRemaining());
        }
        d.end();
        in.end();
    }

    @Test
    void emptyCompressedMessagesAfterOthersWithContextTakeover() {
        // After a sync flush zlib has nothing to emit for an empty message; the payload is 0x00 (RFC 7692 §7.2.3.6)
        MessageDeflater d = new MessageDeflater(6, false, DeflateEvents.NONE);
        byte[] first = bytes(d.compress(ByteBuffer.wrap("Hello".getBytes(StandardCharsets.UTF_8))));
        byte[] empty1 = bytes(d.compress(ByteBuffer.allocate(0)));
        byte[] empty2 = bytes(d.compress(ByteBuffer.allocate(0)));
        byte[] last = bytes(d.compress(ByteBuffer.wrap("Hello".getBytes(StandardCharsets.UTF_8))));
        d.end();
        assertArrayEquals(new byte[]{0}, empty1);
        assertArrayEquals(new byte[]{0}, empty2);
        assertEquals(List.of("text true Hello", "binary true 0", "text true ", "text true Hello"), run(negotiated(WsLimits.DEFAULT),
                concat(frame(true, RSV1, TEXT, first), frame(true, RSV1, BINARY, empty1), frame(true, RSV1, TEXT, empty2),
                        frame(true, RSV1, TEXT, last))));
    }

    @Test
    void largeCompressedBinaryInManyFragments() {
        byte[] data = new byte[300_000];
        for (int i = 0; i < data.length; i++) data[i] = (byte) (i * 31);
        MessageDeflater d = new MessageDeflater(1, true, DeflateEvents.NONE);
        byte[] c = bytes(d.compress(ByteBuffer.wrap(data)));
        d.end();
        List<byte[]> frames = new ArrayList<>();
        int step = Math.max(1, c.length / 7);
        for (int at = 0; at < c.length; at += step) {
            int end = Math.min(c.length, at + step);
            frames.add(frame(end == c.length, at == 0 ? RSV1 : 0, at == 0 ? BINARY : CONT, Arrays.copyOfRange(c, at, end)));
        }
        WsMessageAssembler in = negotiated(WsLimits.DEFAULT);
        try {
            WsEvent e = in.next(ByteBuffer.wrap(concat(frames.toArray(byte[][]::new))));
            WsEvent.Binary b = assertInstanceOf(WsEvent.Binary.class, e);
            assertArrayEquals(data, bytes(b.payload()));
        } catch (WsCloseException x) {
            throw new AssertionError(x);
        } finally {
            in.end();
        }
        assertThrows(IllegalStateException.class, () -> in.next(ByteBuffer.wrap(frame(true, RSV1, TEXT, deflate("late")))),
                "an ended inflater is not used again");
    }
}
