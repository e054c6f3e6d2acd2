package dev.streamlab.websocket.deflate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.websocket.WsCloseCodes;
import dev.streamlab.websocket.frame.WsCloseException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link MessageDeflater} and {@link MessageInflater} against each other, RFC 7692's examples, and hostile input. */
class MessageCodecTest {
    static final int LIMIT = 16 << 20;

    static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    static byte[] inflate(MessageInflater in, byte[] compressed, int limit) throws WsCloseException {
        ByteBuffer out = in.inflate(ByteBuffer.wrap(compressed), true, ByteBuffer.allocate(16), limit);
        return bytes(out.flip());
    }

    static String json(int i) {
        return "{\"type\":\"metrics\",\"seq\":" + i + ",\"viewers\":" + (40 + i % 7)
                + ",\"bitrateKbps\":1850,\"bufferSeconds\":4.2,\"rung\":\"360p\",\"dropped\":0}";
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {0, 1, 16, 125, 126, 4096, 65535, 65536, 1 << 20})
    void roundTripsMessagesOfEverySize(int size) throws WsCloseException {
        byte[] message = new byte[size];
        SplittableRandom r = new SplittableRandom(size);
        for (int i = 0; i < size; i++) message[i] = (byte) "abcdefgh{}:,\"0123".charAt(r.nextInt(17));
        MessageDeflater d = new MessageDeflater(6, false, DeflateEvents.NONE);
        MessageInflater in = new MessageInflater(false, DeflateEvents.NONE);
        byte[] compressed = bytes(d.compress(ByteBuffer.wrap(message)));
        assertArrayEquals(message, inflate(in, compressed, LIMIT));
        d.end();
        in.end();
    }

    @Test
    void rfc7692Example() throws WsCloseException {
        // RFC 7692 §7.2.3.1: "Hello" compressed is 0xf2 0x48 0xcd 0xc9 0xc9 0x07 0x00 (tail already removed)
        MessageDeflater d = new MessageDeflater(6, false, DeflateEvents.NONE);
        assertEquals("f248cdc9c90700", HexFormat.of().formatHex(bytes(d.compress(ByteBuffer.wrap("Hello".getBytes(StandardCharsets.US_ASCII))))));
        // §7.2.3.2: the same message again with context takeover refers back to the first: 0xf2 0x00 0x11 0x00 0x00
        assertEquals("f200110000", HexFormat.of().formatHex(bytes(d.compress(ByteBuffer.wrap("Hello".getBytes(StandardCharsets.US_ASCII))))));
        MessageInflater in = new MessageInflater(false, DeflateEvents.NONE);
        assertEquals("Hello", new String(inflate(in, HexFormat.of().parseHex("f248cdc9c90700"), LIMIT), StandardCharsets.US_ASCII));
        assertEquals("Hello", new String(inflate(in, HexFormat.of().parseHex("f200110000"), LIMIT), StandardCharsets.US_ASCII));
        d.end();
        in.end();
    }

    @Test
    void rfc7692UncompressedBlockExampleInflates() throws WsCloseException {
        // §7.2.3.3: "Hello" in a stored (uncompressed) DEFLATE block: 0x00 0x05 0x00 0xfa 0xff 'H' 'e' 'l' 'l' 'o' 0x00
        MessageInflater in = new MessageInflater(false, DeflateEvents.NONE);
        assertEquals("Hello", new String(inflate(in, HexFormat.of().parseHex("000500faff48656c6c6f00"), LIMIT), StandardCharsets.US_ASCII));
        in.end();
    }

    @Test
    void bfinalBlockEndsTheMessageAndTheNextStartsFresh() throws WsCloseException {
        // §7.2.3.4: "Hello" as a final (BFINAL=1) block: 0xf3 0x48 0xcd 0xc9 0xc9 0x07 0x00 0x00
        MessageInflater in = new MessageInflater(false, DeflateEvents.NONE);
        assertEquals("Hello", new String(inflate(in, HexFormat.of().parseHex("f348cdc9c9070000"), LIMIT), StandardCharsets.US_ASCII));
        assertEquals("Hello", new String(inflate(in, HexFormat.of().parseHex("f248cdc9c90700"), LIMIT), StandardCharsets.US_ASCII));
        in.end();
    }

    @Test
    void contextTakeoverShrinksRepeatedJsonAndNoTakeoverDoesNot() throws WsCloseException {
        MessageDeflater takeover = new MessageDeflater(6, false, DeflateEvents.NONE);
        MessageDeflater fresh = new MessageDeflater(6, true, DeflateEvents.NONE);
        MessageInflater inTakeover = new MessageInflater(false, DeflateEvents.NONE);
        MessageInflater inFresh = new MessageInflater(true, DeflateEvents.NONE);
        int firstFresh = 0;
        for (int i = 0; i < 20; i++) {
            byte[] m = json(i).getBytes(StandardCharsets.UTF_8);
            byte[] a = bytes(takeover.compress(ByteBuffer.wrap(m)));
            byte[] b = bytes(fresh.compress(ByteBuffer.wrap(m)));
            assertArrayEquals(m, inflate(inTakeover, a, LIMIT));
            assertArrayEquals(m, inflate(inFresh, b, LIMIT));
            if (i == 0) {
                firstFresh = b.length;
                assertEquals(a.length, b.length, "the first message has no history either way");
            } else {
                assertTrue(a.length < b.length / 2, "message " + i + ": with takeover " + a.length + " bytes, fresh " + b.length);
                assertTrue(Math.abs(b.length - firstFresh) <= 3, "without takeover every message costs about the same");
            }
        }
        for (var c : new Object[]{takeover, fresh}) ((MessageDeflater) c).end();
        inTakeover.end();
        inFresh.end();
    }

    @Test
    void noContextTakeoverMessagesInflateOnAFreshInflater() throws WsCloseException {
        MessageDeflater d = new MessageDeflater(6, true, DeflateEvents.NONE);
        d.compress(ByteBuffer.wrap(json(1).getBytes(StandardCharsets.UTF_8)));
        byte[] second = bytes(d.compress(ByteBuffer.wrap(json(2).getBytes(StandardCharsets.UTF_8))));
        // a receiver that never saw message 1 can read message 2: nothing refers back
        assertEquals(json(2), new String(inflate(new MessageInflater(true, DeflateEvents.NONE), second, LIMIT), StandardCharsets.UTF_8));
        d.end();
    }

    @Test
    void zipBombStopsAtTheLimitWhileInflating() {
        // 64 MiB of zeros deflate to ~64 KiB; the limit is 1 MiB
        Deflater z = new Deflater(9, true);
        ByteArrayOutputStream bomb = new ByteArrayOutputStream();
        byte[] chunk = new byte[64 * 1024];
        for (int i = 0; i < 8; i++) {
            z.setInput(new byte[8 << 20]);
            int n;
            while ((n = z.deflate(chunk, 0, chunk.length, Deflater.SYNC_FLUSH)) > 0) bomb.write(chunk, 0, n);
        }
        z.end();
        int limit = 1 << 20;
        MessageInflater in = new MessageInflater(false, DeflateEvents.NONE);
        WsCloseException e = assertThrows(WsCloseException.class,
                () -> in.inflate(ByteBuffer.wrap(bomb.toByteArray()), true, ByteBuffer.allocate(16), limit));
        assertEquals(WsCloseCodes.MESSAGE_TOO_BIG, e.closeCode());
        assertTrue(in.producedTotal() <= limit + 1, "inflated " + in.producedTotal() + " bytes before stopping");
        in.end();
    }

    @Test
    void messageOfExactlyTheLimitPasses() throws WsCloseException {
        byte[] m = new byte[1000];
        MessageDeflater d = new MessageDeflater(6, false, DeflateEvents.NONE);
        byte[] c = bytes(d.compress(ByteBuffer.wrap(m)));
        assertEquals(1000, inflate(new MessageInflater(false, DeflateEvents.NONE), c, 1000).length);
        WsCloseException e = assertThrows(WsCloseException.class, () -> inflate(new MessageInflater(false, DeflateEvents.NONE), c, 999));
        assertEquals(WsCloseCodes.MESSAGE_TOO_BIG, e.closeCode());
        d.end();
    }

    @Test
    void corruptDeflateFailsWith1007() {
        MessageInflater in = new MessageInflater(false, DeflateEvents.NONE);
        // BTYPE=11 (reserved block type): "invalid block type"
        WsCloseException e = assertThrows(WsCloseException.class, () -> inflate(in, new byte[]{(byte) 0xFF, (byte) 0xFF, 0x00}, LIMIT));
        assertEquals(WsCloseCodes.INVALID_PAYLOAD_DATA, e.closeCode());
        in.end();
    }

    @Test
    void unusedCodecsNeverAllocateNativeStreams() {
        AtomicInteger streams = new AtomicInteger();
        DeflateEvents events = new DeflateEvents() {
            @Override public void nativeStreams(int delta) { streams.addAndGet(delta); }
        };
        new MessageDeflater(6, false, events).end();
        new MessageInflater(false, events).end();
        assertEquals(0, streams.get());
    }

    @Test
    void eventsCountMessagesAndNativeStreamsReturnToZero() throws WsCloseException {
        AtomicInteger streams = new AtomicInteger();
        long[] sizes = new long[4];
        DeflateEvents events = new DeflateEvents() {
            @Override public void compressed(long raw, long wire) { sizes[0] += raw; sizes[1] += wire; }
            @Override public void inflated(long wire, long raw) { sizes[2] += wire; sizes[3] += raw; }
            @Override public void nativeStreams(int delta) { streams.addAndGet(delta); }
        };
        MessageDeflater d = new MessageDeflater(6, false, events);
        MessageInflater in = new MessageInflater(false, events);
        assertEquals(0, streams.get(), "no native memory before the first compressed message");
        byte[] m = json(1).getBytes(StandardCharsets.UTF_8);
        byte[] c = bytes(d.compress(ByteBuffer.wrap(m)));
        assertEquals(1, streams.get());
        inflate(in, c, LIMIT);
        assertEquals(2, streams.get());
        assertEquals(m.length, sizes[0]);
        assertEquals(c.length, sizes[1]);
        assertEquals(c.length, sizes[2]);
        assertEquals(m.length, sizes[3]);
        d.end();
        d.end();
        in.end();
        assertEquals(0, streams.get(), "end() is idempotent and frees both");
        assertThrows(IllegalStateException.class, () -> d.compress(ByteBuffer.wrap(m)));
    }
}
