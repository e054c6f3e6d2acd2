package dev.streamlab.websocket.frame;

import java.nio.ByteBuffer;

/**
 * Decodes WebSocket frames (RFC 6455 §5.2) from byte buffers of any size: an explicit state machine that keeps its
 * place between calls, so a frame may arrive in one read or one byte per read, and several frames may arrive in
 * one read. It knows the wire format only; which frames are allowed (RSV bits, opcodes, masking, fragmentation,
 * UTF-8) is the protocol validator's job, plugged in through a {@link FrameSink}.
 *
 * <pre>
 *   HEADER ──byte 0──▶ LENGTH ──len&lt;126──────────────┬──MASK=1──▶ MASK_KEY ──4 bytes──┐
 *                         └──126/127──▶ EXT_LENGTH ───┘                               ▼
 *   ▲                                  (2 or 8 bytes)  └──MASK=0─────────────────▶ header complete:
 *   │                                                                             sink.onHeader, size check,
 *   └──────────── frame returned ◀── PAYLOAD (copy + unmask, sink.onPayload) ◀── sink.payloadBuffer
 * </pre>
 *
 * <p>Checks made here (each fails the connection with a {@link WsCloseException}):
 * <ul>
 *   <li>§5.2: "the minimal number of bytes MUST be used to encode the length" — a 16-bit length below 126 or a
 *       64-bit length below 65536 → 1002;</li>
 *   <li>§5.2: "the most significant bit MUST be 0" of a 64-bit length → 1002;</li>
 *   <li>a payload longer than {@code maxPayloadLength} → 1009, decided from the header, before a byte of payload is
 *       buffered or a buffer allocated (a 2^63-byte claim costs nothing).</li>
 * </ul>
 *
 * <p><b>Allocation.</b> Per frame the reader allocates the payload buffer — and only when the sink asks it to
 * ({@link FrameSink#ALLOCATE}; a sink may hand out a reused buffer instead) — plus three small objects: the
 * {@link FrameHeader} record, the {@link Frame} record and the payload's {@code slice()} view, 120 bytes
 * together on a 64-bit JDK 25 with compressed oops. The header, the extended length and the masking key are accumulated in fields, never in a temporary
 * array. {@code FrameReaderAllocationTest} measures this with
 * {@code com.sun.management.ThreadMXBean#getThreadAllocatedBytes}: reading N frames with a reused sink allocates
 * 120 bytes per frame whatever the read sizes (64 KiB, 1500 or 7 bytes), and with {@code ALLOCATE} the payload
 * plus 192 bytes (the 120 and the buffer's array header and {@code ByteBuffer} object).
 *
 * <p><b>Copies.</b> Each payload byte is copied once, from the caller's read buffer into the payload buffer, and
 * unmasked on the way, eight bytes per step (see {@code Masking}). Unmasked frames (server to client) are copied
 * with one bulk {@code put}.
 *
 * <p>Not thread-safe: one reader per connection, driven by the thread that reads the socket.
 */
public final class FrameReader {
    /** A zero-length payload; shared, since it has no bytes to change. */
    static final ByteBuffer EMPTY = ByteBuffer.allocate(0).asReadOnlyBuffer();

    private static final int HEADER = 0, LENGTH = 1, EXT_LENGTH = 2, MASK_KEY = 3, PAYLOAD = 4, FAILED = 5;

    private final int maxPayloadLength;
    private final FrameSink sink;

    private int state = HEADER;
    // Header fields, filled in as their bytes arrive.
    private boolean fin, rsv1, rsv2, rsv3, masked;
    private int opcode;
    private int extLengthBytes;   // 2 or 8 for the extended length; how many bytes it has on the wire
    private int bytesNeeded;      // of the extended length or of the masking key, still to come
    private long length;
    private int maskKey;
    // Payload progress.
    private FrameHeader header;
    private ByteBuffer target;
    private int targetStart;
    private long received;

    /**
     * A reader that allocates each payload ({@link FrameSink#ALLOCATE}) and enforces no protocol rules beyond the
     * wire format.
     *
     * @param maxPayloadLength the largest payload accepted; longer frames fail with 1009. At least 125, so that
     *                         every legal control frame fits.
     * @throws IllegalArgumentException if {@code maxPayloadLength < 125}
     */
    public FrameReader(int maxPayloadLength) {
        this(maxPayloadLength, FrameSink.ALLOCATE);
    }

    /**
     * A reader that asks {@code sink} to check each header and to provide each payload buffer.
     *
     * @param maxPayloadLength the largest payload accepted; longer frames fail with 1009. At least 125.
     * @param sink             checks headers and payload bytes, provides payload buffers
     * @throws IllegalArgumentException if {@code maxPayloadLength < 125}
     */
    public FrameReader(int maxPayloadLength, FrameSink sink) {
        if (maxPayloadLength < 125) {
            throw new IllegalArgumentException("maxPayloadLength " + maxPayloadLength + " < 125 would refuse legal control frames");
        }
        this.maxPayloadLength = maxPayloadLength;
        this.sink = java.util.Objects.requireNonNull(sink, "sink");
    }

    /**
     * Consumes bytes of {@code src} (from its position on) until one frame is complete, and returns it. Returns
     * {@code null} when {@code src} ran out first; the bytes read so far are kept, so call again with the next
     * bytes. Bytes after the end of the returned frame stay in {@code src} for the next call:
     *
     * {@snippet :
     * Frame frame;
     * while ((frame = reader.read(buffer)) != null) {
     *     handle(frame);
     * }
     * buffer.compact(); // then read more from the socket into it
     * }
     *
     * @return the next frame, or {@code null} if {@code src} has no more bytes and the frame is not complete
     * @throws WsCloseException        if the frame breaks the wire format or a limit, or the sink rejects it; the
     *                                 reader is then unusable (the connection is to be failed)
     * @throws IllegalStateException   if called again after a {@code WsCloseException}, or if the sink returned a
     *                                 buffer too small for the payload
     */
    public Frame read(ByteBuffer src) throws WsCloseException {
        if (state == FAILED) throw new IllegalStateException("the reader failed earlier; the connection must be closed");
        try {
            while (true) {
                switch (state) {
                    case HEADER -> {
                        if (!src.hasRemaining()) return null;
                        int b = src.get() & 0xFF;
                        fin = (b & 0x80) != 0;
                        rsv1 = (b & 0x40) != 0;
                        rsv2 = (b & 0x20) != 0;
                        rsv3 = (b & 0x10) != 0;
                        opcode = b & 0x0F;
                        state = LENGTH;
                    }
                    case LENGTH -> {
                        if (!src.hasRemaining()) return null;
                        int b = src.get() & 0xFF;
                        masked = (b & 0x80) != 0;
                        int length7 = b & 0x7F;
                        if (length7 < 126) {
                            length = length7;
                            lengthComplete();
                        } else {
                            extLengthBytes = bytesNeeded = length7 == 126 ? 2 : 8;
                            length = 0;
                            state = EXT_LENGTH;
                        }
                    }
                    case EXT_LENGTH -> {
                        while (bytesNeeded > 0 && src.hasRemaining()) {
                            length = (length << 8) | (src.get() & 0xFF);
                            bytesNeeded--;
                        }
                        if (bytesNeeded > 0) return null;
                        checkExtendedLength();
                        lengthComplete();
                    }
                    case MASK_KEY -> {
                        while (bytesNeeded > 0 && src.hasRemaining()) {
                            maskKey = (maskKey << 8) | (src.get() & 0xFF);
                            bytesNeeded--;
                        }
                        if (bytesNeeded > 0) return null;
                        headerComplete();
                    }
                    case PAYLOAD -> {
                        int n = (int) Math.min(src.remaining(), length - received);
                        if (n > 0) copyPayload(src, n);
                        if (received < length) return null;
                        return frameComplete();
                    }
                    default -> throw new IllegalStateException("state " + state);
                }
            }
        } catch (WsCloseException e) {
            state = FAILED;
            throw e;
        }
    }

    /**
     * Whether the reader is between frames: no partial frame is buffered. At end of stream this tells a clean
     * end (between frames) from a truncated frame.
     */
    public boolean isAtFrameBoundary() {
        return state == HEADER;
    }

    /** The largest payload this reader accepts. */
    public int maxPayloadLength() {
        return maxPayloadLength;
    }

    private void checkExtendedLength() throws WsCloseException {
        if (extLengthBytes == 2) {
            // RFC 6455 §5.2: "in all cases, the minimal number of bytes MUST be used to encode the length"
            if (length < 126) throw WsCloseException.protocolError("non-minimal 16-bit payload length " + length);
        } else {
            // RFC 6455 §5.2: 64-bit length "(the most significant bit MUST be 0)"
            if (length < 0) throw WsCloseException.protocolError("64-bit payload length with the most significant bit set");
            // RFC 6455 §5.2: "the minimal number of bytes MUST be used to encode the length"
            if (length <= 0xFFFF) throw WsCloseException.protocolError("non-minimal 64-bit payload length " + length);
        }
    }

    private void lengthComplete() throws WsCloseException {
        if (masked) {
            bytesNeeded = 4;
            maskKey = 0;
            state = MASK_KEY;
        } else {
            maskKey = 0;
            headerComplete();
        }
    }

    private void headerComplete() throws WsCloseException {
        header = new FrameHeader(fin, rsv1, rsv2, rsv3, opcode, masked, maskKey, length);
        sink.onHeader(header); // protocol rules first: a 2^40-byte PING is a 1002, not a 1009
        if (length > maxPayloadLength) {
            // Decided from the header alone: nothing is allocated or buffered for a frame we will not accept.
            throw WsCloseException.tooBig("frame payload of " + length + " bytes exceeds the limit of " + maxPayloadLength);
        }
        // The sink may give less room than the header announced (a peer can announce 16 MiB in 14 bytes and send
        // nothing more); copyPayload asks for more as the bytes actually arrive.
        ByteBuffer buffer = sink.payloadBuffer(header);
        target = buffer;
        targetStart = buffer.position();
        received = 0;
        state = PAYLOAD;
    }

    private void copyPayload(ByteBuffer src, int n) throws WsCloseException {
        int from = targetStart + (int) received;
        if (from + n > target.limit()) {
            target = sink.morePayloadRoom(header, target, targetStart, (int) received, n);
            if (target.position() != targetStart || from + n > target.limit()) {
                throw new IllegalStateException("the sink's buffer has no room for " + n + " bytes at " + from);
            }
        }
        int srcPos = src.position();
        if (masked) {
            Masking.copyMasked(src, srcPos, target, from, n, maskKey, received);
        } else {
            target.put(from, src, srcPos, n);
        }
        src.position(srcPos + n);
        received += n;
        sink.onPayload(header, target, from, from + n);
    }

    private Frame frameComplete() {
        int n = (int) length;
        ByteBuffer payload = n == 0 ? EMPTY : target.slice(targetStart, n);
        target.position(targetStart + n);
        Frame frame = Frame.of(header, payload);
        target = null;
        header = null;
        state = HEADER;
        return frame;
    }
}
