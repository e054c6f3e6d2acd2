package dev.streamlab.websocket;

import dev.streamlab.websocket.frame.FrameHeader;
import dev.streamlab.websocket.frame.FrameWriter;
import dev.streamlab.websocket.frame.WsCloseException;
import dev.streamlab.websocket.frame.WsOpcode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every rule of {@link WsValidator}, and the assembler's handling of fragments, UTF-8 and Close, one test each. */
class WsMessageAssemblerTest {
    private static final int KEY = 0x5A5A1234;

    /** A masked client frame with any header bits. */
    static byte[] frame(boolean fin, int rsv, int opcode, byte[] payload) {
        FrameHeader h = new FrameHeader(fin, (rsv & 4) != 0, (rsv & 2) != 0, (rsv & 1) != 0, opcode, true, KEY, payload.length);
        ByteBuffer b = FrameWriter.encode(h, ByteBuffer.wrap(payload));
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    static byte[] frame(boolean fin, int opcode, String utf8) {
        return frame(fin, 0, opcode, utf8.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }

    static List<WsEvent> events(WsMessageAssembler in, byte[] wire) throws WsCloseException {
        List<WsEvent> events = new ArrayList<>();
        ByteBuffer src = ByteBuffer.wrap(wire);
        WsEvent e;
        while ((e = in.next(src)) != null) events.add(copy(e));
        return events;
    }

    static List<WsEvent> events(byte[] wire) throws WsCloseException {
        return events(WsMessageAssembler.server(WsLimits.DEFAULT), wire);
    }

    /** Payloads are views valid until the next call; tests keep copies. */
    static WsEvent copy(WsEvent e) {
        return switch (e) {
            case WsEvent.Text t -> new WsEvent.Text(ByteBuffer.wrap(bytes(t.payload())));
            case WsEvent.Binary b -> new WsEvent.Binary(ByteBuffer.wrap(bytes(b.payload())));
            case WsEvent.Ping p -> new WsEvent.Ping(ByteBuffer.wrap(bytes(p.payload())));
            case WsEvent.Pong p -> new WsEvent.Pong(ByteBuffer.wrap(bytes(p.payload())));
            case WsEvent.Close c -> c;
        };
    }

    static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    static int failure(byte[] wire) {
        return failure(WsMessageAssembler.server(WsLimits.DEFAULT), wire);
    }

    static int failure(WsMessageAssembler in, byte[] wire) {
        return assertThrows(WsCloseException.class, () -> events(in, wire)).closeCode();
    }

    static String text(WsEvent e) {
        return assertInstanceOf(WsEvent.Text.class, e).text();
    }

    // ---------------------------------------------------------------------------------------------- header rules

    @ParameterizedTest(name = "RSV bits {0}")
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7})
    void anyRsvBitWithoutANegotiatedExtensionIsAProtocolError(int rsv) {
        assertEquals(1002, failure(frame(true, rsv, 1, "Hello".getBytes())));
    }

    @ParameterizedTest(name = "opcode {0}")
    @ValueSource(ints = {3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF})
    void reservedOpcodesAreAProtocolError(int opcode) {
        assertEquals(1002, failure(frame(true, 0, opcode, new byte[0])));
    }

    @Test
    void anUnmaskedFrameFromAClientIsAProtocolError() {
        ByteBuffer unmasked = FrameWriter.encode(FrameHeader.server(true, WsOpcode.TEXT, 2), ByteBuffer.wrap("hi".getBytes()));
        assertEquals(1002, failure(bytes(unmasked)));
    }

    @Test
    void aMaskedFrameFromAServerIsAProtocolErrorForAClient() {
        assertEquals(1002, failure(WsMessageAssembler.client(WsLimits.DEFAULT), frame(true, WsOpcode.TEXT.code(), "hi")));
    }

    @Test
    void aClientAcceptsUnmaskedServerFrames() throws WsCloseException {
        ByteBuffer unmasked = FrameWriter.encode(FrameHeader.server(true, WsOpcode.TEXT, 2), ByteBuffer.wrap("hi".getBytes()));
        assertEquals("hi", text(events(WsMessageAssembler.client(WsLimits.DEFAULT), bytes(unmasked)).getFirst()));
    }

    @ParameterizedTest(name = "opcode {0}")
    @ValueSource(ints = {8, 9, 10})
    void controlFramesOver125BytesAreAProtocolError(int opcode) {
        assertEquals(1002, failure(frame(true, 0, opcode, new byte[126])));
    }

    @Test
    void aHugeControlFrameIsAProtocolErrorNotMessageTooBig() {
        // 64-bit length 2^40 on a PING: the control rule speaks first, and nothing is allocated.
        ByteBuffer wire = ByteBuffer.allocate(14).put((byte) 0x89).put((byte) (0x80 | 127)).putLong(1L << 40).putInt(KEY).flip();
        assertEquals(1002, failure(bytes(wire)));
    }

    @ParameterizedTest(name = "opcode {0}")
    @ValueSource(ints = {8, 9, 10})
    void fragmentedControlFramesAreAProtocolError(int opcode) {
        assertEquals(1002, failure(frame(false, 0, opcode, new byte[0])));
    }

    @Test
    void continuationWithoutAStartIsAProtocolError() {
        assertEquals(1002, failure(frame(true, 0, "lost")));
        assertEquals(1002, failure(frame(false, 0, "lost")));
    }

    @Test
    void aNewDataFrameWhileAFragmentedMessageIsOpenIsAProtocolError() {
        assertEquals(1002, failure(concat(frame(false, 1, "frag"), frame(true, 1, "ment"))));
        assertEquals(1002, failure(concat(frame(false, 1, "frag"), frame(true, 0, 2, new byte[1]))));
    }

    @Test
    void controlFramesInsideAFragmentedMessageAreAnsweredAndTheMessageStillCompletes() throws WsCloseException {
        List<WsEvent> events = events(concat(frame(false, 1, "frag"), frame(true, 9, "ping"), frame(true, 10, "pong"),
                frame(false, 0, "men"), frame(true, 0, "t")));
        assertEquals(3, events.size());
        assertEquals("ping", new String(bytes(assertInstanceOf(WsEvent.Ping.class, events.get(0)).payload())));
        assertInstanceOf(WsEvent.Pong.class, events.get(1));
        assertEquals("fragment", text(events.get(2)));
    }

    // --------------------------------------------------------------------------------------------------- limits

    @Test
    void aMessageOverTheLimitAcrossFragmentsIsTooBigAtTheHeaderThatCrossesIt() {
        WsMessageAssembler in = WsMessageAssembler.server(new WsLimits(200, 300));
        byte[] first = frame(false, 0, 2, new byte[200]);
        byte[] secondHeaderOnly = java.util.Arrays.copyOf(frame(true, 0, 0, new byte[101]), 2 + 4); // no payload sent
        assertEquals(1009, failure(in, concat(first, secondHeaderOnly)));
    }

    @Test
    void aMessageOfExactlyTheLimitIsAccepted() throws WsCloseException {
        WsMessageAssembler in = WsMessageAssembler.server(new WsLimits(200, 300));
        List<WsEvent> e = events(in, concat(frame(false, 0, 2, new byte[200]), frame(true, 0, 0, new byte[100])));
        assertEquals(300, assertInstanceOf(WsEvent.Binary.class, e.getFirst()).payload().remaining());
    }

    @Test
    void aFrameOverTheFrameLimitIsTooBigEvenIfTheMessageWouldFit() {
        assertEquals(1009, failure(WsMessageAssembler.server(new WsLimits(200, 300)), frame(true, 0, 2, new byte[201])));
    }

    @Test
    void tooBigIsReportedAsSoonAsTheHeaderArrives() {
        WsMessageAssembler in = WsMessageAssembler.server(new WsLimits(1000, 1000));
        ByteBuffer header = ByteBuffer.allocate(14).put((byte) 0x82).put((byte) (0x80 | 127)).putLong(1L << 33).putInt(KEY).flip();
        assertEquals(1009, assertThrows(WsCloseException.class, () -> in.next(header)).closeCode());
    }

    private static final com.sun.management.ThreadMXBean MX =
            (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();

    /** A masked binary frame's header announcing {@code length} bytes (64-bit length form), RSV bits as given. */
    static ByteBuffer hugeHeader(int rsv, long length) {
        return ByteBuffer.allocate(14).put((byte) (0x80 | rsv << 4 | 2)).put((byte) (0x80 | 127)).putLong(length)
                .putInt(KEY).flip();
    }

    @ParameterizedTest(name = "compressed: {0}")
    @ValueSource(booleans = {false, true})
    void aHeaderAnnouncingSixteenMiBReservesNothingUntilTheBytesCome(boolean compressed) throws WsCloseException {
        // A 14-byte header announcing 16 MiB, then 100 bytes: what the audit's attacker sent, 300 connections of it
        // exhausting a 6 GB heap while the buffer was allocated from the announced length.
        long before = MX.getCurrentThreadAllocatedBytes();
        WsMessageAssembler in = compressed
                ? WsMessageAssembler.server(WsLimits.DEFAULT, dev.streamlab.websocket.deflate.PerMessageDeflate
                        .Agreement.defaults(), dev.streamlab.websocket.deflate.DeflateEvents.NONE)
                : WsMessageAssembler.server(WsLimits.DEFAULT);
        try {
            assertNull(in.next(hugeHeader(compressed ? 4 : 0, WsLimits.DEFAULT.maxMessageSize())));
            assertNull(in.next(ByteBuffer.wrap(new byte[100])));
            long allocated = MX.getCurrentThreadAllocatedBytes() - before;
            System.out.println("header announcing 16 MiB + 100 bytes" + (compressed ? ", compressed" : "") + ": "
                    + allocated + " bytes allocated");
            assertTrue(allocated < 256 * 1024, allocated + " bytes allocated for 114 bytes received");
        } finally {
            in.end();
        }
    }

    @Test
    void largeMessagesShareOneBudgetAndAMessagePastItIsTryAgainLater() throws WsCloseException {
        MessageBudget budget = new MessageBudget(1 << 20);
        WsMessageAssembler a = WsMessageAssembler.server(WsLimits.DEFAULT).budget(budget);
        WsMessageAssembler b = WsMessageAssembler.server(WsLimits.DEFAULT).budget(budget);
        byte[] big = frame(true, 0, 2, new byte[800_000]);
        assertNull(a.next(ByteBuffer.wrap(big, 0, 700_000))); // a holds most of a large message
        assertTrue(budget.used() > 500_000, "charged past its 64 KiB: " + budget.used());
        WsCloseException e = assertThrows(WsCloseException.class,
                () -> b.next(ByteBuffer.wrap(frame(true, 0, 2, new byte[600_000]))));
        assertEquals(WsCloseCodes.TRY_AGAIN_LATER, e.closeCode(), e.getMessage());
        WsEvent done = a.next(ByteBuffer.wrap(big, 700_000, big.length - 700_000));
        assertEquals(800_000, assertInstanceOf(WsEvent.Binary.class, done).payload().remaining(), "a completes");
        assertNull(a.next(ByteBuffer.allocate(0))); // the event's view is spent: its buffer goes back now
        b.end(); // b's connection closes
        assertEquals(0, budget.used(), "everything given back");
    }

    @Test
    void aCompressedMessageInflatingPastTheBudgetIsTryAgainLater() throws WsCloseException {
        // The audit's bomb: 16 KB on the wire inflating to 16 MiB, held open on 40 connections, took a 512 MB heap
        // to OutOfMemoryError. Here the budget is 1 MiB and one 2 MiB message, sent whole, is refused with 1013.
        java.util.zip.Deflater d = new java.util.zip.Deflater(9, true);
        d.setInput(new byte[2 << 20]);
        byte[] out = new byte[64 * 1024];
        int n = d.deflate(out, 0, out.length, java.util.zip.Deflater.SYNC_FLUSH);
        d.end();
        byte[] compressed = java.util.Arrays.copyOf(out, n - 4); // RFC 7692 §7.2.1: without the 00 00 ff ff tail
        MessageBudget budget = new MessageBudget(1 << 20);
        WsMessageAssembler in = WsMessageAssembler.server(WsLimits.DEFAULT, dev.streamlab.websocket.deflate
                .PerMessageDeflate.Agreement.defaults(), dev.streamlab.websocket.deflate.DeflateEvents.NONE)
                .budget(budget);
        try {
            WsCloseException e = assertThrows(WsCloseException.class,
                    () -> in.next(ByteBuffer.wrap(frame(true, 4, 2, compressed))));
            assertEquals(WsCloseCodes.TRY_AGAIN_LATER, e.closeCode(), e.getMessage());
            assertTrue(budget.used() <= budget.limit());
        } finally {
            in.end();
        }
        assertEquals(0, budget.used());
    }

    @Test
    void aLargeMessageArrivingInPiecesGrowsItsBufferAndArrivesWhole() throws WsCloseException {
        byte[] payload = new byte[3 << 20];
        new java.util.Random(7).nextBytes(payload);
        byte[] wire = concat(frame(false, 0, 2, java.util.Arrays.copyOf(payload, 1000)),
                frame(true, 0, 0, java.util.Arrays.copyOfRange(payload, 1000, payload.length)));
        WsMessageAssembler in = WsMessageAssembler.server(WsLimits.DEFAULT);
        WsEvent got = null;
        ByteBuffer src = ByteBuffer.wrap(wire);
        for (int at = 0; at < wire.length && got == null; at += 1500) { // one TCP segment at a time
            src.limit(Math.min(wire.length, at + 1500));
            got = in.next(src);
        }
        assertArrayEquals(payload, bytes(assertInstanceOf(WsEvent.Binary.class, got).payload()));
    }

    // ----------------------------------------------------------------------------------------------------- UTF-8

    @Test
    void invalidUtf8FailsAsSoonAsTheBadByteArrivesInsideAFrame() throws WsCloseException {
        byte[] wire = frame(true, 0, 1, concatText("valid so far", new byte[]{(byte) 0xFF}, "and much more that never comes"));
        WsMessageAssembler in = WsMessageAssembler.server(WsLimits.DEFAULT);
        int header = 6;
        assertNull(in.next(ByteBuffer.wrap(wire, 0, header + 12)));
        WsCloseException e = assertThrows(WsCloseException.class, () -> in.next(ByteBuffer.wrap(wire, header + 12, 1)));
        assertEquals(1007, e.closeCode());
    }

    private static byte[] concatText(String a, byte[] b, String c) {
        return concat(a.getBytes(StandardCharsets.UTF_8), b, c.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void utf8IsValidatedAcrossFragmentBoundaries() throws WsCloseException {
        // κ = CE BA split between two frames: valid
        assertEquals("κ", text(events(concat(frame(false, 0, 1, new byte[]{(byte) 0xCE}), frame(true, 0, 0, new byte[]{(byte) 0xBA}))).getFirst()));
        // CE followed by 'A' in the next frame: invalid, at the continuation's first byte
        assertEquals(1007, failure(concat(frame(false, 0, 1, new byte[]{(byte) 0xCE}), frame(true, 0, 0, new byte[]{0x41}))));
    }

    @Test
    void aTextMessageEndingInsideASequenceIsInvalid() {
        assertEquals(1007, failure(frame(true, 0, 1, new byte[]{0x41, (byte) 0xE2, (byte) 0x82})));
    }

    @Test
    void binaryMessagesAreNotUtf8Checked() throws WsCloseException {
        byte[] notUtf8 = {(byte) 0xFF, (byte) 0xC0, (byte) 0xED, (byte) 0xA0};
        assertArrayEquals(notUtf8, bytes(assertInstanceOf(WsEvent.Binary.class, events(frame(true, 0, 2, notUtf8)).getFirst()).payload()));
    }

    @Test
    void aPingPayloadIsNotUtf8CheckedInsideATextMessage() throws WsCloseException {
        List<WsEvent> e = events(concat(frame(false, 0, 1, new byte[]{(byte) 0xCE}), frame(true, 0, 9, new byte[]{(byte) 0xFF}),
                frame(true, 0, 0, new byte[]{(byte) 0xBA})));
        assertInstanceOf(WsEvent.Ping.class, e.get(0));
        assertEquals("κ", text(e.get(1)));
    }

    // ----------------------------------------------------------------------------------------------------- Close

    @Test
    void anEmptyCloseIsReportedAs1005AndAnsweredWith1000() throws WsCloseException {
        WsEvent.Close c = assertInstanceOf(WsEvent.Close.class, events(frame(true, 0, 8, new byte[0])).getFirst());
        assertEquals(1005, c.code());
        assertEquals(1000, c.replyCode());
    }

    @Test
    void aOneByteCloseBodyIsAProtocolError() {
        assertEquals(1002, failure(frame(true, 0, 8, new byte[]{0x03})));
    }

    @ParameterizedTest(name = "code {0}")
    @ValueSource(ints = {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999})
    void validCloseCodesAreEchoed(int code) throws WsCloseException {
        WsEvent.Close c = assertInstanceOf(WsEvent.Close.class, events(frame(true, 0, 8, closeBody(code, "bye"))).getFirst());
        assertEquals(code, c.code());
        assertEquals(code, c.replyCode());
        assertEquals("bye", c.reason());
    }

    @ParameterizedTest(name = "code {0}")
    @ValueSource(ints = {0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535})
    void invalidCloseCodesAreAProtocolError(int code) {
        assertEquals(1002, failure(frame(true, 0, 8, closeBody(code, ""))));
    }

    @Test
    void aCloseReasonThatIsNotUtf8IsInvalidPayload() {
        byte[] body = concat(closeBody(1000, ""), HexFormat.of().parseHex("cebae1bdb9cf83cebcceb5eda080656469746564"));
        assertEquals(1007, failure(frame(true, 0, 8, body)));
    }

    @Test
    void nothingAfterTheClientsCloseIsProcessed() throws WsCloseException {
        WsMessageAssembler in = WsMessageAssembler.server(WsLimits.DEFAULT);
        ByteBuffer src = ByteBuffer.wrap(concat(frame(true, 0, 8, closeBody(1000, "")), frame(true, 1, "ignored"), frame(true, 9, "")));
        assertInstanceOf(WsEvent.Close.class, in.next(src));
        assertTrue(in.isClosed());
        assertNull(in.next(src));
        assertFalse(src.hasRemaining(), "the rest is discarded");
        assertNull(in.next(ByteBuffer.wrap(new byte[]{(byte) 0xFF, (byte) 0xFF}))); // even garbage
    }

    static byte[] closeBody(int code, String reason) {
        return concat(new byte[]{(byte) (code >>> 8), (byte) code}, reason.getBytes(StandardCharsets.UTF_8));
    }

    // ------------------------------------------------------------------------------------ assembly and lifetime

    @Test
    void fragmentsJoinIntoOneMessageAndFramesWithoutFinProduceNoEvent() throws WsCloseException {
        WsMessageAssembler in = WsMessageAssembler.server(WsLimits.DEFAULT);
        assertNull(in.next(ByteBuffer.wrap(frame(false, 1, "a"))));
        assertTrue(in.inFragmentedMessage());
        assertNull(in.next(ByteBuffer.wrap(frame(false, 0, "b"))));
        assertEquals("abc", text(in.next(ByteBuffer.wrap(frame(true, 0, "c")))));
        assertFalse(in.inFragmentedMessage());
    }

    @Test
    void largeAndManyFragmentMessagesAssembleByteForByte() throws WsCloseException {
        java.util.SplittableRandom r = new java.util.SplittableRandom(99);
        byte[] message = new byte[300_000];
        r.nextBytes(message);
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        int pos = 0;
        while (pos < message.length) {
            int n = Math.min(message.length - pos, 1 + r.nextInt(20_000));
            wire.writeBytes(frame(pos + n == message.length, 0, pos == 0 ? 2 : 0, java.util.Arrays.copyOfRange(message, pos, pos + n)));
            pos += n;
        }
        WsMessageAssembler in = WsMessageAssembler.server(WsLimits.DEFAULT);
        List<WsEvent> e = events(in, concat(wire.toByteArray(), frame(true, 1, "small after big")));
        assertArrayEquals(message, bytes(assertInstanceOf(WsEvent.Binary.class, e.get(0)).payload()));
        assertEquals("small after big", text(e.get(1)));
    }

    @Test
    void afterAFailureTheAssemblerRefusesToContinue() {
        WsMessageAssembler in = WsMessageAssembler.server(WsLimits.DEFAULT);
        assertThrows(WsCloseException.class, () -> in.next(ByteBuffer.wrap(frame(true, 0, 3, new byte[0]))));
        assertThrows(IllegalStateException.class, () -> in.next(ByteBuffer.wrap(frame(true, 1, "x"))));
    }

    @Test
    void validatorReportsTheMessageTypeOfEachDataFrame() throws WsCloseException {
        WsValidator v = new WsValidator(WsValidator.Role.SERVER, 1000);
        assertEquals(WsOpcode.TEXT, v.checkHeader(FrameHeader.client(false, WsOpcode.TEXT, 1, 3)));
        assertEquals(WsOpcode.PING, v.checkHeader(FrameHeader.client(true, WsOpcode.PING, 1, 0)));
        assertEquals(WsOpcode.TEXT, v.checkHeader(FrameHeader.client(true, WsOpcode.CONTINUATION, 1, 3)));
        assertFalse(v.inFragmentedMessage());
        assertEquals(WsOpcode.BINARY, v.checkHeader(FrameHeader.client(true, WsOpcode.BINARY, 1, 3)));
    }

    @Test
    void closeExceptionReasonFitsACloseFrame() {
        WsCloseException e = WsCloseException.protocolError("x".repeat(500));
        assertEquals(123, e.closeReason().length());
        assertThrows(IllegalArgumentException.class, () -> new WsCloseException("never on the wire", 1006));
    }
}
