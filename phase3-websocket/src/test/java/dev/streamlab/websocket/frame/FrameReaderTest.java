package dev.streamlab.websocket.frame;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The frame codec at its boundaries (Netty's {@code WebSocket08EncoderDecoderTest} style): payload lengths 0–5,
 * 125–129 and 65535–65539 around the 7-, 16- and 64-bit length encodings, written by {@link FrameWriter} (client,
 * masked) and read back by {@link FrameReader}; split anywhere, one byte at a time, and in seeded random pieces.
 *
 * <p>Seeds: the base seed is printed and in every failure message; rerun with {@code -Dstreamlab.seed=N}.
 */
class FrameReaderTest {
    static final long SEED = Long.getLong("streamlab.seed", 20251106L);
    private static final int MAX = 1 << 20;

    static IntStream boundaryLengths() {
        return IntStream.of(0, 1, 2, 3, 4, 5, 125, 126, 127, 128, 129, 65535, 65536, 65537, 65538, 65539);
    }

    static byte[] payload(int length, long seed) {
        byte[] b = new byte[length];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    static ByteBuffer clientFrame(boolean fin, WsOpcode op, byte[] payload, int maskKey) {
        return FrameWriterTest.concat(FrameWriter.client(() -> maskKey).frame(fin, op, ByteBuffer.wrap(payload)));
    }

    @ParameterizedTest(name = "payload length {0}")
    @MethodSource("boundaryLengths")
    void maskedFramesRoundTripAtLengthBoundaries(int length) throws WsCloseException {
        byte[] p = payload(length, length);
        ByteBuffer wire = clientFrame(true, WsOpcode.BINARY, p, 0x11223344);
        assertEquals(FrameWriter.headerLength(length, true) + length, wire.remaining());
        Frame f = new FrameReader(MAX).read(wire);
        assertInstanceOf(Frame.Data.class, f);
        assertEquals(new FrameHeader(true, false, false, false, 2, true, 0x11223344, length), f.header());
        assertArrayEquals(p, bytes(f.payload()));
        assertFalse(wire.hasRemaining());
    }

    @ParameterizedTest(name = "payload length {0}")
    @MethodSource("boundaryLengths")
    void unmaskedServerFramesRoundTripAtLengthBoundaries(int length) throws WsCloseException {
        byte[] p = payload(length, ~length);
        ByteBuffer wire = FrameWriterTest.concat(FrameWriter.server().frame(true, WsOpcode.TEXT, ByteBuffer.wrap(p)));
        assertEquals(FrameWriter.headerLength(length, false) + length, wire.remaining());
        Frame f = new FrameReader(MAX).read(wire);
        assertFalse(f.header().masked());
        assertArrayEquals(p, bytes(f.payload()));
    }

    @ParameterizedTest(name = "payload length {0}")
    @MethodSource("boundaryLengths")
    void framesFedOneByteAtATimeDecodeTheSame(int length) throws WsCloseException {
        byte[] p = payload(length, 31L * length);
        byte[] wire = bytes(clientFrame(true, WsOpcode.TEXT, p, 0xCAFEBABE));
        FrameReader reader = new FrameReader(MAX);
        Frame f = null;
        for (int i = 0; i < wire.length; i++) {
            assertNull(f, "frame completed before its last byte");
            f = reader.read(ByteBuffer.wrap(wire, i, 1));
        }
        assertArrayEquals(p, bytes(f.payload()));
        assertTrue(reader.isAtFrameBoundary());
    }

    @Test
    void aReadWithNoBytesReturnsNullAndKeepsState() throws WsCloseException {
        FrameReader reader = new FrameReader(MAX);
        assertNull(reader.read(ByteBuffer.allocate(0)));
        assertNull(reader.read(ByteBuffer.wrap(new byte[]{(byte) 0x81})));
        assertFalse(reader.isAtFrameBoundary());
        assertNull(reader.read(ByteBuffer.allocate(0)));
        Frame f = reader.read(ByteBuffer.wrap(new byte[]{0x01, 0x41}));
        assertArrayEquals(new byte[]{0x41}, bytes(f.payload()));
    }

    @Test
    void rfcExamplesDecode() throws WsCloseException {
        HexFormat hex = HexFormat.of();
        Frame masked = new FrameReader(MAX).read(ByteBuffer.wrap(hex.parseHex("818537fa213d7f9f4d5158")));
        assertEquals("Hello", new String(bytes(masked.payload())));
        assertEquals(0x37fa213d, masked.header().maskKey());
        Frame ping = new FrameReader(MAX).read(ByteBuffer.wrap(hex.parseHex("890548656c6c6f")));
        assertInstanceOf(Frame.Control.class, ping);
        assertEquals(WsOpcode.PING, ping.header().wsOpcode());
    }

    @Test
    void severalFramesInOneBufferComeOutOneByOneAndLeaveTheRestInTheBuffer() throws WsCloseException {
        ByteBuffer wire = FrameWriterTest.concat(
                clientFrame(false, WsOpcode.TEXT, "frag".getBytes(), 1),
                clientFrame(true, WsOpcode.PING, new byte[0], 2),
                clientFrame(true, WsOpcode.CONTINUATION, "ment".getBytes(), 3),
                ByteBuffer.wrap(new byte[]{(byte) 0x82})); // the first byte of a fourth frame
        FrameReader reader = new FrameReader(MAX);
        assertEquals("frag", new String(bytes(reader.read(wire).payload())));
        assertEquals(WsOpcode.PING, reader.read(wire).header().wsOpcode());
        assertEquals("ment", new String(bytes(reader.read(wire).payload())));
        assertNull(reader.read(wire));
        assertFalse(reader.isAtFrameBoundary());
        assertFalse(wire.hasRemaining());
    }

    @ParameterizedTest(name = "16-bit length {0}")
    @ValueSource(ints = {0, 1, 125})
    void nonMinimal16BitLengthsAreAProtocolError(int length) {
        ByteBuffer wire = ByteBuffer.allocate(8 + length).put((byte) 0x82).put((byte) (0x80 | 126)).putShort((short) length).putInt(0);
        WsCloseException e = assertThrows(WsCloseException.class, () -> new FrameReader(MAX).read(wire.flip()));
        assertEquals(1002, e.closeCode());
    }

    @ParameterizedTest(name = "64-bit length {0}")
    @ValueSource(longs = {0, 125, 126, 65535})
    void nonMinimal64BitLengthsAreAProtocolError(long length) {
        ByteBuffer wire = ByteBuffer.allocate(14).put((byte) 0x82).put((byte) (0x80 | 127)).putLong(length).putInt(0);
        WsCloseException e = assertThrows(WsCloseException.class, () -> new FrameReader(MAX).read(wire.flip()));
        assertEquals(1002, e.closeCode());
    }

    @Test
    void minimalLengthsAtTheEncodingBoundariesAreAccepted() throws WsCloseException {
        ByteBuffer l16 = ByteBuffer.allocate(4 + 126).put((byte) 0x82).put((byte) 126).putShort((short) 126).position(130).flip();
        assertEquals(126, new FrameReader(MAX).read(l16).header().payloadLength());
        ByteBuffer l64 = ByteBuffer.allocate(10 + 65536).put((byte) 0x82).put((byte) 127).putLong(65536).position(10 + 65536).flip();
        assertEquals(65536, new FrameReader(MAX).read(l64).header().payloadLength());
    }

    @Test
    void sixtyFourBitLengthWithTheTopBitSetIsAProtocolError() {
        ByteBuffer wire = ByteBuffer.allocate(10).put((byte) 0x82).put((byte) 127).putLong(0x8000_0000_0000_0000L | 70000);
        WsCloseException e = assertThrows(WsCloseException.class, () -> new FrameReader(MAX).read(wire.flip()));
        assertEquals(1002, e.closeCode());
    }

    @Test
    void tooBigIsDecidedFromTheHeaderBeforeAnyBufferIsRequested() {
        List<String> calls = new ArrayList<>();
        FrameSink spy = new FrameSink() {
            @Override
            public void onHeader(FrameHeader header) {
                calls.add("onHeader " + header.payloadLength());
            }

            @Override
            public ByteBuffer payloadBuffer(FrameHeader header) {
                calls.add("payloadBuffer");
                return ByteBuffer.allocate((int) header.payloadLength());
            }
        };
        // 2^62 bytes claimed, header only: no payload byte is ever sent.
        ByteBuffer wire = ByteBuffer.allocate(14).put((byte) 0x82).put((byte) (0x80 | 127)).putLong(1L << 62).putInt(0x01020304);
        WsCloseException e = assertThrows(WsCloseException.class, () -> new FrameReader(1000, spy).read(wire.flip()));
        assertEquals(1009, e.closeCode());
        assertEquals(List.of("onHeader " + (1L << 62)), calls, "no buffer requested for a frame over the limit");
    }

    @Test
    void aFrameOfExactlyTheLimitIsAcceptedAndOneByteMoreIsNot() throws WsCloseException {
        assertEquals(1000, new FrameReader(1000).read(clientFrame(true, WsOpcode.BINARY, new byte[1000], 9)).payload().remaining());
        WsCloseException e = assertThrows(WsCloseException.class,
                () -> new FrameReader(1000).read(clientFrame(true, WsOpcode.BINARY, new byte[1001], 9)));
        assertEquals(1009, e.closeCode());
    }

    @Test
    void theSinkSeesHeaderThenBufferThenEveryPayloadByteOnceInOrder() throws WsCloseException {
        List<String> calls = new ArrayList<>();
        ByteBuffer reused = ByteBuffer.allocate(64);
        FrameSink sink = new FrameSink() {
            @Override
            public void onHeader(FrameHeader header) {
                calls.add("header");
            }

            @Override
            public ByteBuffer payloadBuffer(FrameHeader header) {
                calls.add("buffer");
                return reused.clear();
            }

            @Override
            public void onPayload(FrameHeader header, ByteBuffer buffer, int from, int to) {
                calls.add(from + ".." + to);
            }
        };
        byte[] wire = bytes(clientFrame(true, WsOpcode.TEXT, "abcdef".getBytes(), 77));
        FrameReader reader = new FrameReader(MAX, sink);
        reader.read(ByteBuffer.wrap(wire, 0, 8));   // header (6 bytes) + "ab"
        Frame f = reader.read(ByteBuffer.wrap(wire, 8, wire.length - 8));
        assertEquals(List.of("header", "buffer", "0..2", "2..6"), calls);
        assertEquals("abcdef", new String(bytes(f.payload())));
        assertEquals(6, reused.position(), "the reader advances the sink's buffer past the payload");
    }

    @Test
    void theSinkCanRejectAHeaderBeforeThePayloadIsRead() {
        FrameSink strict = new FrameSink() {
            @Override
            public void onHeader(FrameHeader header) throws WsCloseException {
                if (header.anyRsv()) throw WsCloseException.protocolError("rsv");
            }
        };
        ByteBuffer wire = ByteBuffer.wrap(new byte[]{(byte) 0xC1, 0x7D}); // RSV1, claims 125 bytes, sends none
        assertEquals(1002, assertThrows(WsCloseException.class, () -> new FrameReader(MAX, strict).read(wire)).closeCode());
    }

    @Test
    void afterAFailureTheReaderRefusesToContinue() {
        FrameReader reader = new FrameReader(MAX);
        ByteBuffer bad = ByteBuffer.allocate(4).put((byte) 0x82).put((byte) 126).putShort((short) 5).flip();
        assertThrows(WsCloseException.class, () -> reader.read(bad));
        assertThrows(IllegalStateException.class, () -> reader.read(ByteBuffer.allocate(1)));
    }

    @Test
    void unmaskingWorksAtEveryAlignmentForHeapDirectAndLittleEndianBuffers() throws WsCloseException {
        byte[] p = payload(1000, 5);
        for (int offset = 0; offset < 9; offset++) {
            for (boolean direct : new boolean[]{false, true}) {
                byte[] frame = bytes(clientFrame(true, WsOpcode.BINARY, p, 0x9badf00d + offset));
                ByteBuffer src = direct ? ByteBuffer.allocateDirect(offset + frame.length) : ByteBuffer.allocate(offset + frame.length);
                src.order(ByteOrder.LITTLE_ENDIAN).position(offset);
                src.put(frame).flip().position(offset);
                int dstOffset = 8 - offset;
                FrameSink sink = new FrameSink() {
                    @Override
                    public ByteBuffer payloadBuffer(FrameHeader header) {
                        ByteBuffer dst = direct ? ByteBuffer.allocate(dstOffset + 1000) : ByteBuffer.allocateDirect(dstOffset + 1000);
                        return dst.position(dstOffset);
                    }
                };
                Frame f = new FrameReader(MAX, sink).read(src);
                assertArrayEquals(p, bytes(f.payload()), "src offset " + offset + ", direct " + direct);
                assertEquals(ByteOrder.LITTLE_ENDIAN, src.order(), "the caller's buffer order is left alone");
            }
        }
    }

    @Test
    void seededRandomFramesSplitAnywhereRoundTrip() throws WsCloseException {
        System.out.println("FrameReaderTest base seed " + SEED + " (rerun with -Dstreamlab.seed=" + SEED + ")");
        for (int round = 0; round < 200; round++) {
            long seed = SEED * 1_000_003L + round;
            String where = "seed " + seed + " (base " + SEED + ", round " + round + ")";
            SplittableRandom r = new SplittableRandom(seed);
            List<FrameHeader> headers = new ArrayList<>();
            List<byte[]> payloads = new ArrayList<>();
            java.io.ByteArrayOutputStream stream = new java.io.ByteArrayOutputStream();
            int frames = 1 + r.nextInt(30);
            for (int i = 0; i < frames; i++) {
                int length = randomLength(r);
                int opcode = r.nextInt(16); // the codec carries reserved opcodes and RSV bits; rules are a layer up
                boolean masked = r.nextBoolean();
                FrameHeader h = new FrameHeader(r.nextBoolean(), r.nextBoolean(), r.nextBoolean(), r.nextBoolean(), opcode,
                        masked, masked ? r.nextInt() : 0, length);
                byte[] p = new byte[length];
                r.nextBytes(p);
                headers.add(h);
                payloads.add(p);
                stream.writeBytes(bytes(FrameWriter.encode(h, ByteBuffer.wrap(p))));
            }
            byte[] wire = stream.toByteArray();
            FrameReader reader = new FrameReader(MAX);
            int decoded = 0;
            int pos = 0;
            while (pos < wire.length) {
                int n = Math.min(wire.length - pos, r.nextInt(4) == 0 ? 1 : 1 + r.nextInt(3000));
                ByteBuffer chunk = ByteBuffer.wrap(wire, pos, n);
                Frame f;
                while ((f = reader.read(chunk)) != null) {
                    assertEquals(headers.get(decoded), f.header(), where + ", frame " + decoded);
                    assertArrayEquals(payloads.get(decoded), bytes(f.payload()), where + ", frame " + decoded);
                    decoded++;
                }
                assertFalse(chunk.hasRemaining(), where);
                pos += n;
            }
            assertEquals(frames, decoded, where);
            assertTrue(reader.isAtFrameBoundary(), where);
        }
    }

    private static int randomLength(SplittableRandom r) {
        return switch (r.nextInt(5)) {
            case 0 -> r.nextInt(6);
            case 1 -> 123 + r.nextInt(8);
            case 2 -> 65533 + r.nextInt(8);
            case 3 -> r.nextInt(2000);
            default -> r.nextInt(70000);
        };
    }

    @Test
    void constructorRefusesALimitBelowTheControlFrameSize() {
        assertThrows(IllegalArgumentException.class, () -> new FrameReader(124));
    }
}
