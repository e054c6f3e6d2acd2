package dev.streamlab.websocket.frame;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.Pipe;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FrameWriterTest {
    private static final HexFormat HEX = HexFormat.of();

    static ByteBuffer utf8(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    static String hex(ByteBuffer[] pair) {
        StringBuilder s = new StringBuilder();
        for (ByteBuffer b : pair) {
            byte[] bytes = new byte[b.remaining()];
            b.duplicate().get(bytes);
            s.append(HEX.formatHex(bytes));
        }
        return s.toString();
    }

    static String hex(ByteBuffer b) {
        return hex(new ByteBuffer[]{b});
    }

    // RFC 6455 §5.7 examples, byte for byte.

    @Test
    void rfcExampleSingleFrameUnmaskedText() {
        assertEquals("810548656c6c6f", hex(FrameWriter.server().frame(true, WsOpcode.TEXT, utf8("Hello"))));
    }

    @Test
    void rfcExampleSingleFrameMaskedText() {
        FrameWriter client = FrameWriter.client(() -> 0x37fa213d);
        assertEquals("818537fa213d7f9f4d5158", hex(client.frame(true, WsOpcode.TEXT, utf8("Hello"))));
    }

    @Test
    void rfcExampleFragmentedUnmaskedText() {
        FrameWriter w = FrameWriter.server();
        assertEquals("010348656c", hex(w.frame(false, WsOpcode.TEXT, utf8("Hel"))));
        assertEquals("80026c6f", hex(w.frame(true, WsOpcode.CONTINUATION, utf8("lo"))));
    }

    @Test
    void rfcExampleUnmaskedPingAndMaskedPong() {
        assertEquals("890548656c6c6f", hex(FrameWriter.server().frame(true, WsOpcode.PING, utf8("Hello"))));
        assertEquals("8a8537fa213d7f9f4d5158", hex(FrameWriter.client(() -> 0x37fa213d).frame(true, WsOpcode.PONG, utf8("Hello"))));
    }

    @Test
    void rfcExample256BytesUses16BitLengthAnd64KiBUses64BitLength() {
        ByteBuffer[] b256 = FrameWriter.server().frame(true, WsOpcode.BINARY, ByteBuffer.allocate(256));
        assertEquals("827e0100", hex(b256[0]));
        ByteBuffer[] b64k = FrameWriter.server().frame(true, WsOpcode.BINARY, ByteBuffer.allocate(65536));
        assertEquals("827f0000000000010000", hex(b64k[0]));
    }

    @Test
    void headerLengthIsMinimalAtEachBoundary() {
        long[][] cases = {{0, 2}, {125, 2}, {126, 4}, {65535, 4}, {65536, 10}, {Long.MAX_VALUE, 10}};
        for (long[] c : cases) {
            assertEquals(c[1], FrameWriter.headerLength(c[0], false), "unmasked " + c[0]);
            assertEquals(c[1] + 4, FrameWriter.headerLength(c[0], true), "masked " + c[0]);
        }
    }

    @Test
    void serverFrameGathersTheCallersOwnPayloadBufferWithoutCopying() {
        ByteBuffer payload = ByteBuffer.allocateDirect(1000);
        ByteBuffer[] pair = FrameWriter.server().frame(true, WsOpcode.BINARY, payload);
        assertEquals(2, pair.length);
        assertSame(payload, pair[1], "the payload slot is the caller's buffer, not a copy");
        assertEquals(4, pair[0].remaining());
        assertEquals(0, payload.position(), "frame() does not consume the payload");
    }

    @Test
    void writeHandsHeaderAndPayloadToOneGatheringWrite() throws IOException {
        RecordingChannel channel = new RecordingChannel();
        ByteBuffer payload = utf8("zero copies");
        long n = FrameWriter.server().write(channel, WsOpcode.TEXT, payload);
        assertEquals(2 + 11, n);
        assertEquals(1, channel.gatheringCalls, "one gathering write for header + payload");
        assertSame(payload, channel.payloadSeen);
        assertFalse(payload.hasRemaining(), "the payload is consumed by the write");
        assertEquals("810b" + HEX.formatHex("zero copies".getBytes(StandardCharsets.UTF_8)), HEX.formatHex(channel.bytes.toByteArray()));
    }

    @Test
    void writeLoopsUntilAChannelThatTakesFewBytesAtATimeHasEverything() throws IOException {
        RecordingChannel channel = new RecordingChannel();
        channel.maxPerCall = 3;
        FrameWriter.server().write(channel, WsOpcode.BINARY, ByteBuffer.wrap(new byte[300]));
        assertEquals(4 + 300, channel.bytes.size());
    }

    @Test
    void writeRefusesANonBlockingChannel() throws IOException {
        Pipe pipe = Pipe.open();
        try {
            pipe.sink().configureBlocking(false);
            assertThrows(IllegalArgumentException.class,
                    () -> FrameWriter.server().write(pipe.sink(), WsOpcode.TEXT, utf8("x")));
        } finally {
            pipe.sink().close();
            pipe.source().close();
        }
    }

    @Test
    void controlFramesOver125BytesOrFragmentedAreRefused() {
        FrameWriter w = FrameWriter.server();
        assertThrows(IllegalArgumentException.class, () -> w.frame(true, WsOpcode.PING, ByteBuffer.allocate(126)));
        assertThrows(IllegalArgumentException.class, () -> w.frame(false, WsOpcode.PONG, ByteBuffer.allocate(1)));
        assertEquals(127, w.frame(true, WsOpcode.PING, ByteBuffer.allocate(125))[0].remaining() + 125);
    }

    @Test
    void clientMaskingLeavesTheCallersPayloadUntouchedAndTheReaderUnmasksIt() throws WsCloseException {
        SplittableRandom random = new SplittableRandom(7);
        FrameWriter client = FrameWriter.client(random::nextInt);
        byte[] original = new byte[1037];
        random.nextBytes(original);
        ByteBuffer payload = ByteBuffer.wrap(original.clone()).position(3); // masking starts at any position
        ByteBuffer[] pair = client.frame(true, WsOpcode.BINARY, payload);
        assertEquals(3, payload.position());
        assertArrayEquals(original, payload.array());
        Frame frame = new FrameReader(1 << 20).read(concat(pair));
        byte[] decoded = new byte[frame.payload().remaining()];
        frame.payload().get(decoded);
        assertArrayEquals(java.util.Arrays.copyOfRange(original, 3, original.length), decoded);
    }

    @Test
    void closePayloadIsTheCodeInNetworkOrderThenTheUtf8Reason() {
        assertEquals("03e8", hex(FrameWriter.closePayload(1000, "")));
        assertEquals("03ea" + HEX.formatHex("bad".getBytes(StandardCharsets.UTF_8)), hex(FrameWriter.closePayload(1002, "bad")));
        assertEquals("0fa0", hex(FrameWriter.closePayload(4000, null)));
    }

    @Test
    void closePayloadCutsTheReasonTo123BytesOnACodePointBoundary() {
        ByteBuffer p = FrameWriter.closePayload(1000, "é".repeat(100)); // 200 bytes of 2-byte code points
        assertEquals(2 + 122, p.remaining(), "61 whole code points; the 62nd would end at byte 124");
        ByteBuffer ascii = FrameWriter.closePayload(1000, "x".repeat(500));
        assertEquals(125, ascii.remaining());
    }

    @Test
    void closeCodesThatMustNotBeSentAreRefused() {
        for (int code : new int[]{0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000}) {
            assertThrows(IllegalArgumentException.class, () -> FrameWriter.closePayload(code, ""), "code " + code);
        }
    }

    @Test
    void encodeProducesFramesAWellBehavedWriterWouldNot() {
        FrameHeader h = new FrameHeader(false, true, false, true, 0x3, false, 0, 2);
        assertEquals("5302abcd", hex(FrameWriter.encode(h, ByteBuffer.wrap(new byte[]{(byte) 0xab, (byte) 0xcd}))));
        assertThrows(IllegalArgumentException.class, () -> FrameWriter.encode(h, ByteBuffer.allocate(3)));
    }

    @Test
    void serverWritesAllocateNothingPerFrame() throws IOException {
        FrameWriter w = FrameWriter.server();
        GatheringByteChannel discard = new RecordingChannel().discarding();
        ByteBuffer payload = ByteBuffer.allocate(4096);
        for (int i = 0; i < 20_000; i++) w.write(discard, WsOpcode.BINARY, payload.clear()); // warm up the JIT
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        int frames = 100_000;
        long before = mx.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < frames; i++) w.write(discard, WsOpcode.BINARY, payload.clear());
        long perFrame = (mx.getCurrentThreadAllocatedBytes() - before) / frames;
        System.out.println("FrameWriter.server().write: " + perFrame + " bytes allocated per 4 KiB frame");
        assertTrue(perFrame < 16, perFrame + " bytes allocated per frame; expected none (header and pair are reused)");
    }

    static ByteBuffer concat(ByteBuffer... parts) {
        int n = 0;
        for (ByteBuffer p : parts) n += p.remaining();
        ByteBuffer out = ByteBuffer.allocate(n);
        for (ByteBuffer p : parts) out.put(p.duplicate());
        return out.flip();
    }

    /** Records gathering writes; optionally takes at most {@code maxPerCall} bytes per call. */
    static final class RecordingChannel implements GatheringByteChannel {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final List<Integer> sizes = new ArrayList<>();
        int gatheringCalls;
        int maxPerCall = Integer.MAX_VALUE;
        ByteBuffer payloadSeen;
        boolean discard;

        RecordingChannel discarding() {
            discard = true;
            return this;
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) {
            gatheringCalls++;
            if (!discard && length > 1) payloadSeen = srcs[offset + 1];
            long n = 0;
            for (int i = offset; i < offset + length && n < maxPerCall; i++) {
                ByteBuffer b = srcs[i];
                int take = (int) Math.min(b.remaining(), maxPerCall - n);
                if (discard) {
                    b.position(b.position() + take);
                } else {
                    byte[] chunk = new byte[take];
                    b.get(chunk);
                    bytes.writeBytes(chunk);
                }
                n += take;
            }
            if (!discard) sizes.add((int) n);
            return n;
        }

        @Override
        public long write(ByteBuffer[] srcs) {
            return write(srcs, 0, srcs.length);
        }

        @Override
        public int write(ByteBuffer src) {
            return (int) write(new ByteBuffer[]{src}, 0, 1);
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
        }
    }
}
