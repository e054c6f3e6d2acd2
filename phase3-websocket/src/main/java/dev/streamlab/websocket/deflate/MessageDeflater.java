package dev.streamlab.websocket.deflate;

import java.nio.ByteBuffer;
import java.util.zip.Deflater;

/**
 * Compresses outgoing messages for permessage-deflate, RFC 7692 §7.2.1: raw DEFLATE ({@code nowrap}: no zlib
 * header or Adler-32), each message ended with a {@link Deflater#SYNC_FLUSH}, whose trailing empty stored block
 * {@code 00 00 ff ff} is cut off ("Remove 4 octets (that are 0x00 0x00 0xff 0xff) from the tail end"). With context
 * takeover the Deflater keeps its 32 KiB window from message to message, so a JSON message that repeats the keys of
 * the previous one costs a few bytes; with {@code no_context_takeover} it is {@link Deflater#reset()} after each.
 *
 * <p><b>Copies.</b> Compressing is a copy by nature: the caller's bytes are read once by zlib (from a heap array,
 * or straight from a direct buffer) and the compressed bytes are written into this class's output buffer, which the
 * frame writer then gathers unchanged. That is why the endpoint decides per message: video segments, already
 * entropy-coded, would pay this copy and CPU for nothing and lose the zero-copy path (views of a mapped file).
 *
 * <p><b>Native memory.</b> A zlib compressor with a 15-bit window at the default memLevel holds about 256 KiB
 * outside the Java heap. It is created at the first compressed message, not with the connection: every browser
 * offers permessage-deflate, and a connection that only ever receives video must not pay for it.
 *
 * <p>The output buffer is reused (it grows to the largest compressed message, and is dropped after one above
 * 64 KiB). Not thread-safe; the connection's send lock orders compression with the wire, which context takeover
 * needs. {@link #end()} frees zlib's native memory and must be called when the connection closes.
 */
public final class MessageDeflater {
    private static final int INITIAL_CAPACITY = 1024;
    private static final int RETAINED_CAPACITY = 64 * 1024;

    private final int level;
    private Deflater deflater; // created at the first compressed message (see the class comment)
    private final boolean noContextTakeover;
    private final DeflateEvents events;
    private ByteBuffer out; // allocated at the first message, like the Deflater
    private boolean ended;

    /**
     * @param level             1..9
     * @param noContextTakeover reset after every message ({@code server_no_context_takeover} for a server,
     *                          {@code client_no_context_takeover} for a client)
     * @param events            told of each message and of the native stream's life
     */
    public MessageDeflater(int level, boolean noContextTakeover, DeflateEvents events) {
        if (level < 1 || level > 9) throw new IllegalArgumentException("level " + level + " not in 1..9");
        this.level = level;
        this.noContextTakeover = noContextTakeover;
        this.events = events;
    }

    /** A deflater for one side of an agreement: ours as the server. */
    public static MessageDeflater server(PerMessageDeflate.Agreement a, DeflateEvents events) {
        return new MessageDeflater(a.level(), a.serverNoContextTakeover(), events);
    }

    /** A deflater for one side of an agreement: the client's (tests and tools that play the client). */
    public static MessageDeflater client(PerMessageDeflate.Agreement a, DeflateEvents events) {
        return new MessageDeflater(a.level(), a.clientNoContextTakeover(), events);
    }

    /**
     * The compressed form of one whole message (RSV1 goes on its first frame). The result is a view of a reused
     * buffer: valid until the next call.
     *
     * @param message the bytes from position to limit; its position is not changed
     * @throws IllegalStateException after {@link #end()}
     */
    public ByteBuffer compress(ByteBuffer message) {
        if (ended) throw new IllegalStateException("the deflater was ended (the connection closed)");
        if (deflater == null) {
            deflater = new Deflater(level, true); // nowrap: RFC 7692 §7.2.1 sends raw DEFLATE (RFC 1951)
            events.nativeStreams(+1);
        }
        int raw = message.remaining();
        if (out == null || out.capacity() > RETAINED_CAPACITY) out = ByteBuffer.allocate(INITIAL_CAPACITY);
        out.clear();
        deflater.setInput(message.duplicate());
        // Deflater.deflate(ByteBuffer, SYNC_FLUSH) javadoc: "if the return value is equal to the remaining space of
        // the buffer, this method should be invoked again with the same flush parameter and more output space."
        // The loop ends when a call leaves room, i.e. the flush is complete; it runs at most ~log2(raw) + 2 times
        // plus once per 64 KiB added (bounded by the input's size, since each round grows the buffer).
        while (true) {
            int room = out.remaining();
            int n = deflater.deflate(out, Deflater.SYNC_FLUSH);
            if (n < room && deflater.needsInput()) break;
            if (!out.hasRemaining()) out = grow(out);
        }
        deflater.setInput(new byte[0]); // drop the reference to the caller's buffer
        int length = out.position();
        if (length == 0) {
            // Empty input right after a previous flush: zlib has nothing to emit. The payload cannot be empty, though:
            // the receiver appends 00 00 ff ff, which is only the LEN/NLEN half of an empty stored block — its 3
            // header bits must come first. RFC 7692 §7.2.3.6 ("Generating an Empty Fragment"): send the single
            // octet 0x00 (BFINAL 0, BTYPE 00, padding).
            out.put((byte) 0);
            events.compressed(raw, 1);
            return out.slice(0, 1);
        }
        // RFC 7692 §7.2.1 step 2: the flush always ends with the empty stored block 00 00 ff ff; cut it off.
        if (length < 4 || out.get(length - 4) != 0 || out.get(length - 3) != 0 || out.get(length - 2) != (byte) 0xFF
                || out.get(length - 1) != (byte) 0xFF) {
            throw new IllegalStateException("SYNC_FLUSH output does not end with 00 00 ff ff");
        }
        if (noContextTakeover) deflater.reset(); // §7.2.1: no history shared with the next message
        events.compressed(raw, length - 4);
        return out.slice(0, length - 4);
    }

    private static ByteBuffer grow(ByteBuffer b) {
        ByteBuffer bigger = ByteBuffer.allocate(b.capacity() < RETAINED_CAPACITY ? b.capacity() * 2 : b.capacity() + RETAINED_CAPACITY);
        return bigger.put(b.flip());
    }

    /** Frees the native zlib stream; further {@link #compress} calls fail. Idempotent. */
    public void end() {
        if (ended) return;
        ended = true;
        if (deflater == null) return;
        deflater.end();
        events.nativeStreams(-1);
    }
}
