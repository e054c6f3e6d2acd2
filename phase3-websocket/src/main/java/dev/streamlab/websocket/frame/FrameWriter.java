package dev.streamlab.websocket.frame;

import dev.streamlab.websocket.WsCloseCodes;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.SelectableChannel;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.function.IntSupplier;

/**
 * Encodes WebSocket frames (RFC 6455 §5.2) as a header and a payload for one gathering write.
 *
 * <p><b>Server side ({@link #server()}): zero payload copies.</b> The 2–10 byte header is built into a small buffer
 * the writer reuses; {@link #frame} returns the pair {@code [header, payload]} (also reused) with the caller's
 * payload buffer itself in the second slot, and {@link #write} hands that pair to
 * {@link GatheringByteChannel#write(ByteBuffer[])}, so the kernel reads the payload straight from the caller's
 * buffer — one user-space copy fewer than concatenating header and payload. RFC 6455 §5.1: "A server MUST NOT mask
 * any frames that it sends to the client."
 *
 * <p><b>Client side ({@link #client}): one copy.</b> RFC 6455 §5.3: a client masks every frame with a fresh,
 * unpredictable key, so the payload cannot be sent from the caller's buffer unchanged: it is copied into a new
 * buffer and masked on the way, eight bytes per step. Streamlab needs this for tests and benchmarks that play the
 * client.
 *
 * <p>Not thread-safe: the header buffer and the pair are reused, so use one writer per connection, and do not call
 * {@code frame} again before the previous pair is written.
 */
public final class FrameWriter {
    private final IntSupplier maskKeys; // null for a server
    private final ByteBuffer header = ByteBuffer.allocate(14);
    private final ByteBuffer[] pair = new ByteBuffer[2];

    private FrameWriter(IntSupplier maskKeys) {
        this.maskKeys = maskKeys;
    }

    /** A writer for frames a server sends: unmasked, header and payload gathered, no payload copy. */
    public static FrameWriter server() {
        return new FrameWriter(null);
    }

    /**
     * A writer for frames a client sends: each masked with the next key from {@code maskKeys}, payload copied.
     * RFC 6455 §5.3 wants keys from "a strong source of entropy"; tests pass a seeded generator to be reproducible.
     */
    public static FrameWriter client(IntSupplier maskKeys) {
        return new FrameWriter(Objects.requireNonNull(maskKeys, "maskKeys"));
    }

    /** Whether this writer masks (client side). */
    public boolean masks() {
        return maskKeys != null;
    }

    /**
     * The frame as {@code [header, payload]}, ready for a gathering write. On the server side the second element
     * is {@code payload} itself (not a copy; its position and limit are used as they are); on the client side it
     * is a masked copy. The array and the header buffer are reused by the next call.
     *
     * @param fin     whether this is the last frame of its message
     * @param opcode  the frame type
     * @param payload the bytes from position to limit; not modified by this call
     * @throws IllegalArgumentException for a control frame with FIN=0 or more than 125 bytes (RFC 6455 §5.5)
     */
    public ByteBuffer[] frame(boolean fin, WsOpcode opcode, ByteBuffer payload) {
        return frame(fin, false, opcode, payload);
    }

    /**
     * {@link #frame(boolean, WsOpcode, ByteBuffer)} with RSV1 set or not: RSV1 marks the first frame of a
     * permessage-deflate compressed message (RFC 7692 §6), whose payload the caller already compressed.
     *
     * @throws IllegalArgumentException also for RSV1 on a control frame (RFC 7692 §6.1)
     */
    public ByteBuffer[] frame(boolean fin, boolean rsv1, WsOpcode opcode, ByteBuffer payload) {
        int length = payload.remaining();
        if (opcode.isControl()) {
            // RFC 6455 §5.5: "All control frames MUST have a payload length of 125 bytes or less and MUST NOT be fragmented."
            if (length > 125) throw new IllegalArgumentException(opcode + " payload of " + length + " bytes > 125");
            if (!fin) throw new IllegalArgumentException(opcode + " frames must not be fragmented");
            if (rsv1) throw new IllegalArgumentException(opcode + " frames are never compressed (RFC 7692 §6.1)");
        }
        int rsvBits = rsv1 ? 4 : 0;
        header.clear();
        if (maskKeys == null) {
            putHeader(header, fin, rsvBits, opcode.code(), false, 0, length);
            pair[1] = payload;
        } else {
            int key = maskKeys.getAsInt();
            putHeader(header, fin, rsvBits, opcode.code(), true, key, length);
            ByteBuffer masked = ByteBuffer.allocate(length);
            Masking.copyMasked(payload, payload.position(), masked, 0, length, key, 0);
            pair[1] = masked;
        }
        pair[0] = header.flip();
        return pair;
    }

    /**
     * Writes one frame with a gathering write, looping until every byte is written. Consumes {@code payload}
     * (its position ends at its limit) on the server side; on the client side {@code payload} is not touched.
     *
     * @param channel a blocking channel (a socket channel in blocking mode, as on a virtual thread)
     * @return bytes written, header included
     * @throws IOException              if the channel fails
     * @throws IllegalArgumentException for an illegal control frame, or if {@code channel} is a non-blocking
     *                                  {@link SelectableChannel} (it would spin here; use {@link #frame} instead)
     */
    public long write(GatheringByteChannel channel, boolean fin, WsOpcode opcode, ByteBuffer payload) throws IOException {
        if (channel instanceof SelectableChannel selectable && !selectable.isBlocking()) {
            throw new IllegalArgumentException("non-blocking channel: write the buffers of frame(...) from a selector loop");
        }
        ByteBuffer[] buffers = frame(fin, opcode, payload);
        long written = 0;
        while (buffers[1].hasRemaining() || buffers[0].hasRemaining()) {
            written += channel.write(buffers);
        }
        pair[1] = null; // do not keep the caller's payload reachable
        return written;
    }

    /** {@link #write(GatheringByteChannel, boolean, WsOpcode, ByteBuffer)} of a whole message in one frame. */
    public long write(GatheringByteChannel channel, WsOpcode opcode, ByteBuffer payload) throws IOException {
        return write(channel, true, opcode, payload);
    }

    /**
     * Writes a Close frame with this status code and reason (see {@link #closePayload}).
     *
     * @throws IllegalArgumentException if {@code code} may not be sent (RFC 6455 §7.4)
     */
    public long writeClose(GatheringByteChannel channel, int code, String reason) throws IOException {
        return write(channel, true, WsOpcode.CLOSE, closePayload(code, reason));
    }

    /**
     * The body of a Close frame, RFC 6455 §5.5.1: the 2-byte status code in network byte order, then the reason
     * in UTF-8, cut to 123 bytes on a code point boundary.
     *
     * @throws IllegalArgumentException if {@code code} may not be sent (1005, 1006, 1015, reserved or out of range)
     */
    public static ByteBuffer closePayload(int code, String reason) {
        if (!WsCloseCodes.isSendable(code)) throw new IllegalArgumentException("close code " + code + " may not be sent");
        byte[] text = WsCloseCodes.truncateReason(reason == null ? "" : reason).getBytes(StandardCharsets.UTF_8);
        ByteBuffer body = ByteBuffer.allocate(2 + text.length);
        body.putShort((short) code).put(text);
        return body.flip();
    }

    /** Header bytes for a payload of this length: 2, 4 or 10, plus 4 if masked (RFC 6455 §5.2). */
    public static int headerLength(long payloadLength, boolean masked) {
        int base = payloadLength < 126 ? 2 : payloadLength <= 0xFFFF ? 4 : 10;
        return masked ? base + 4 : base;
    }

    /**
     * A complete frame for any header, as one buffer: RSV bits and reserved opcodes included, masked with the
     * header's key if {@code header.masked()}. Copies the payload; meant for tests and tools that need frames a
     * well-behaved writer would not produce. The length is always encoded minimally.
     *
     * @throws IllegalArgumentException if {@code payload.remaining() != header.payloadLength()}
     */
    public static ByteBuffer encode(FrameHeader header, ByteBuffer payload) {
        int length = payload.remaining();
        if (length != header.payloadLength()) {
            throw new IllegalArgumentException("payload of " + length + " bytes, header says " + header.payloadLength());
        }
        ByteBuffer out = ByteBuffer.allocate(header.wireLength() + length);
        putHeader(out, header);
        if (header.masked()) {
            Masking.copyMasked(payload, payload.position(), out, out.position(), length, header.maskKey(), 0);
        } else {
            out.put(out.position(), payload, payload.position(), length);
        }
        return out.position(out.position() + length).flip();
    }

    /** Puts the 2–14 header bytes of {@code h} at {@code out}'s position. */
    static void putHeader(ByteBuffer out, FrameHeader h) {
        putHeader(out, h.fin(), h.rsvBits(), h.opcode(), h.masked(), h.maskKey(), h.payloadLength());
    }

    /** The header from its fields, without a {@link FrameHeader} object (the per-frame path allocates nothing). */
    private static void putHeader(ByteBuffer out, boolean fin, int rsvBits, int opcode, boolean masked, int maskKey, long length) {
        int b0 = (fin ? 0x80 : 0) | (rsvBits << 4) | opcode;
        int maskBit = masked ? 0x80 : 0;
        out.put((byte) b0);
        if (length < 126) {
            out.put((byte) (maskBit | (int) length));
        } else if (length <= 0xFFFF) {
            out.put((byte) (maskBit | 126)).putShort((short) length);
        } else {
            out.put((byte) (maskBit | 127)).putLong(length);
        }
        if (masked) out.putInt(maskKey);
    }
}
