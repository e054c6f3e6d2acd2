package dev.streamlab.websocket.deflate;

import dev.streamlab.websocket.frame.WsCloseException;

import java.nio.ByteBuffer;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Inflates received permessage-deflate messages, RFC 7692 §7.2.2: the compressed payloads of a message's frames are
 * fed in order, and after the last one the four octets {@code 00 00 ff ff} the sender cut off are appended
 * ("Append 4 octets of 0x00 0x00 0xff 0xff to the tail end of the payload of the message").
 *
 * <p><b>Zip bombs.</b> A few KiB of DEFLATE can expand a thousandfold. The message size limit therefore applies to
 * the <em>inflated</em> size, and it is checked while inflating: output goes into a buffer that is never allowed to
 * grow past {@code limit + 1} bytes; when zlib fills that last byte, the connection fails with 1009 at once, with
 * at most {@code limit + 1} bytes ever produced ({@link #producedTotal()} lets tests see it).
 *
 * <p><b>Corrupt data.</b> Invalid DEFLATE fails the connection with <b>1007</b> (invalid frame payload data),
 * as Autobahn|Testsuite and most servers (Netty, Jetty, Tyrus) do: the frame is well-formed, its payload is not
 * consistent with the message type's encoding. RFC 7692 does not name a code; 1002 would also be defensible.
 *
 * <p>A sender may end a message with a BFINAL block instead of a sync flush (§7.2.3.4); the stream is then
 * finished, anything after it in the message (at least our appended tail) is ignored, and the Inflater is reset for
 * the next message — context takeover cannot continue past a final block. The Inflater (about 40 KiB of native
 * memory) is created at the first compressed message. Not thread-safe. {@link #end()} frees
 * zlib's native memory and must be called when the connection closes.
 */
public final class MessageInflater {
    private static final byte[] TAIL = {0, 0, (byte) 0xFF, (byte) 0xFF};

    private Inflater inflater; // created at the first compressed message; nowrap: raw DEFLATE, any window up to 15 bits
    private final boolean noContextTakeover;
    private final DeflateEvents events;
    private long wireBytes;    // compressed bytes of the current message
    private long messageStart; // producedTotal at the message's first byte
    private long produced;
    private boolean ended;

    /**
     * @param noContextTakeover the peer resets its compressor after every message, so may we
     * @param events            told of each message and of the native stream's life
     */
    public MessageInflater(boolean noContextTakeover, DeflateEvents events) {
        this.noContextTakeover = noContextTakeover;
        this.events = events;
    }

    /** The inflater for what the client sends us. */
    public static MessageInflater server(PerMessageDeflate.Agreement a, DeflateEvents events) {
        return new MessageInflater(a.clientNoContextTakeover(), events);
    }

    /** The inflater for what the server sends (tests and tools that play the client). */
    public static MessageInflater client(PerMessageDeflate.Agreement a, DeflateEvents events) {
        return new MessageInflater(a.serverNoContextTakeover(), events);
    }

    /**
     * Inflates one frame's compressed payload, appending to {@code out}.
     *
     * @param compressed the frame's payload, position to limit (consumed)
     * @param last       whether this is the message's last frame (FIN): the tail is appended, the message ends
     * @param out        the message so far, from 0 to its position; a heap buffer
     * @param limit      the largest inflated message allowed
     * @return {@code out}, or a larger buffer holding the same bytes and the new ones (position after them)
     * @throws WsCloseException 1009 when the message inflates past {@code limit}; 1007 for invalid DEFLATE data
     */
    public ByteBuffer inflate(ByteBuffer compressed, boolean last, ByteBuffer out, int limit) throws WsCloseException {
        return inflate(compressed, last, out, limit, (from, to) -> { });
    }

    /** Asked before the message buffer grows: may refuse with a {@link WsCloseException} (a memory budget). */
    @FunctionalInterface
    public interface Growth {
        void grow(int fromCapacity, int toCapacity) throws WsCloseException;
    }

    /** {@link #inflate(ByteBuffer, boolean, ByteBuffer, int)}, asking {@code growth} before each larger buffer. */
    public ByteBuffer inflate(ByteBuffer compressed, boolean last, ByteBuffer out, int limit, Growth growth)
            throws WsCloseException {
        if (ended) throw new IllegalStateException("the inflater was ended (the connection closed)");
        if (inflater == null) {
            inflater = new Inflater(true); // not before: a peer that never compresses costs no native memory
            events.nativeStreams(+1);
        }
        if (out.position() == 0) messageStart = produced;
        wireBytes += compressed.remaining();
        out = drain(compressed, out, limit, growth);
        if (last) {
            if (!inflater.finished()) out = drain(ByteBuffer.wrap(TAIL), out, limit, growth);
            events.inflated(wireBytes, produced - messageStart);
            wireBytes = 0;
            // A finished stream (BFINAL) cannot take more input; otherwise reset only if the peer does not keep its
            // context either (§7.2.2: it may then "reset ... the LZ77 sliding window").
            if (inflater.finished() || noContextTakeover) inflater.reset();
        }
        return out;
    }

    private ByteBuffer drain(ByteBuffer input, ByteBuffer out, int limit, Growth growth) throws WsCloseException {
        if (inflater.finished()) {
            input.position(input.limit()); // after a BFINAL block: ignored (see the class comment)
            return out;
        }
        inflater.setInput(input);
        try {
            // Each round either produces bytes (bounded by limit + 1 in total) or ends: the loop is bounded.
            while (true) {
                if (!out.hasRemaining()) {
                    if (out.capacity() > limit) {
                        throw WsCloseException.tooBig("message inflates past the limit of " + limit + " bytes");
                    }
                    int capacity = (int) Math.min((long) limit + 1, Math.max(out.capacity() * 2L, out.capacity() + 4096L));
                    growth.grow(out.capacity(), capacity);
                    out = ByteBuffer.allocate(capacity).put(out.flip());
                }
                int n = inflater.inflate(out);
                produced += n;
                if (out.position() > limit) {
                    throw WsCloseException.tooBig("message inflates past the limit of " + limit + " bytes");
                }
                if (inflater.finished()) {
                    input.position(input.limit());
                    return out;
                }
                if (n == 0) {
                    if (inflater.needsDictionary()) throw WsCloseException.invalidPayload("DEFLATE data needs a preset dictionary");
                    if (inflater.needsInput() || out.hasRemaining()) return out; // all input used
                }
            }
        } catch (DataFormatException e) {
            throw WsCloseException.invalidPayload("invalid DEFLATE data: " + e.getMessage());
        } finally {
            inflater.setInput(TAIL, 0, 0); // drop the reference to the caller's buffer
        }
    }

    /** Bytes inflated over this inflater's life: at most {@code limit + 1} past the last message that fit. */
    public long producedTotal() {
        return produced;
    }

    /** Frees the native zlib stream. Idempotent. */
    public void end() {
        if (ended) return;
        ended = true;
        if (inflater == null) return;
        inflater.end();
        events.nativeStreams(-1);
    }
}
