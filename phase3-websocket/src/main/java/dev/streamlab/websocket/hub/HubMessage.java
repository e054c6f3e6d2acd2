package dev.streamlab.websocket.hub;

import dev.streamlab.websocket.Utf8Validator;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * One published message: a read-only view of the publisher's bytes, whether it goes out as a text or a binary
 * frame, and whether it is <em>marked</em> — the start of a run that makes sense on its own (phase 3b marks media
 * segments that begin with a keyframe; {@link Overflow#SKIP_TO_LATEST_MARKED} resumes only at marked messages).
 *
 * <p><b>Copies.</b> {@link #binary} and {@link #text(ByteBuffer, boolean)} copy nothing: the message keeps a view of
 * the caller's buffer, and every subscriber gets its own {@link #view()} of that same memory, so the caller must not
 * change those bytes afterwards. {@link #copyOf} copies once, for a caller whose buffer is reused (a WebSocket
 * reader's); {@link #copiedBytes()} says so, and the hub counts it. Pass direct buffers where you can: the JDK writes
 * a heap buffer to a socket by copying it into a temporary direct buffer first, once per subscriber.
 */
public final class HubMessage {
    private final ByteBuffer bytes; // read-only, position 0; never handed out itself, only duplicates of it
    private final boolean text;
    private final boolean marked;
    private final int copiedBytes;

    private HubMessage(ByteBuffer bytes, boolean text, boolean marked, int copiedBytes) {
        this.bytes = bytes;
        this.text = text;
        this.marked = marked;
        this.copiedBytes = copiedBytes;
    }

    /** A binary message of {@code payload}'s remaining bytes, not copied ({@code payload}'s position is untouched). */
    public static HubMessage binary(ByteBuffer payload, boolean marked) {
        return new HubMessage(payload.slice().asReadOnlyBuffer(), false, marked, 0);
    }

    /**
     * A text message of {@code utf8}'s remaining bytes, not copied.
     *
     * @throws IllegalArgumentException if the bytes are not valid UTF-8 (RFC 6455 §8.1: a receiver would fail the
     *                                  connection with 1007)
     */
    public static HubMessage text(ByteBuffer utf8, boolean marked) {
        ByteBuffer b = utf8.slice().asReadOnlyBuffer();
        if (!Utf8Validator.isValid(b.duplicate())) throw new IllegalArgumentException("text is not valid UTF-8");
        return new HubMessage(b, true, marked, 0);
    }

    /** A marked text message, encoded once into a direct buffer. */
    public static HubMessage text(String text) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        return new HubMessage(ByteBuffer.allocateDirect(utf8.length).put(utf8).flip().asReadOnlyBuffer(), true,
                true, 0);
    }

    /**
     * A message holding a copy of {@code payload}'s remaining bytes, in a direct buffer (so sockets write it without
     * the JDK's extra copy): the one copy for a payload its owner will overwrite, such as the view a WebSocket
     * session hands its endpoint. Text is taken as already validated.
     */
    public static HubMessage copyOf(ByteBuffer payload, boolean text, boolean marked) {
        int n = payload.remaining();
        ByteBuffer copy = ByteBuffer.allocateDirect(n).put(payload.duplicate()).flip();
        return new HubMessage(copy.asReadOnlyBuffer(), text, marked, n);
    }

    /** A fresh read-only view of the bytes (position 0, limit = length): one small object, no copy. */
    public ByteBuffer view() {
        return bytes.duplicate();
    }

    public int length() {
        return bytes.capacity();
    }

    /** Whether it goes out as a text frame (else binary). */
    public boolean isText() {
        return text;
    }

    /** Whether a subscriber may resume here after a gap ({@link Overflow#SKIP_TO_LATEST_MARKED}). */
    public boolean marked() {
        return marked;
    }

    /** Bytes copied to make this message: its length for {@link #copyOf}, else 0. */
    public int copiedBytes() {
        return copiedBytes;
    }

    /** Whether the bytes live outside the Java heap (a socket write then needs no copy at all). */
    public boolean isDirect() {
        return bytes.isDirect();
    }

    @Override
    public String toString() {
        return (text ? "text" : "binary") + "[" + length() + (marked ? ", marked]" : "]");
    }
}
