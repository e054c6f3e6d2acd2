package dev.streamlab.websocket.frame;

import java.nio.ByteBuffer;

/**
 * What a {@link FrameReader} asks its owner while a frame comes in, in this order:
 * <ol>
 *   <li>{@link #onHeader}: the header is complete, no payload byte is buffered yet — check the protocol rules
 *       (RSV bits, opcode, mask, control frame size, fragmentation, message size) and throw to fail fast;</li>
 *   <li>the reader checks its own frame size limit (→ 1009);</li>
 *   <li>{@link #payloadBuffer}: where the payload goes; {@link #morePayloadRoom} when it fills before the frame
 *       ends;</li>
 *   <li>{@link #onPayload}, zero or more times: these bytes just arrived and are unmasked — check them as they
 *       come (a UTF-8 validator fails fast here, before the frame is complete);</li>
 *   <li>the reader returns the {@link Frame}.</li>
 * </ol>
 *
 * <p>The default sink ({@link #ALLOCATE}) accepts every header and allocates an exact-size heap buffer per frame, so
 * each {@code Frame} owns its payload. A message assembler instead appends data frames into one reused buffer;
 * then a frame's payload is valid only until the sink reuses that buffer.
 */
public interface FrameSink {

    /** Accept every header; one new heap buffer of exactly the payload length per frame (none for length 0). */
    FrameSink ALLOCATE = new FrameSink() {
    };

    /**
     * The header is complete; nothing of the payload is buffered yet.
     *
     * @throws WsCloseException to fail the connection before any payload byte is read or buffered
     */
    default void onHeader(FrameHeader header) throws WsCloseException {
    }

    /**
     * Where the payload goes. The reader writes the unmasked payload from the buffer's position on (absolute puts)
     * and, once the frame is complete, advances the position past it. Called after {@link #onHeader} and the
     * reader's size check, so {@code payloadLength} fits an {@code int}. The buffer may have less room than the
     * payload: then {@link #morePayloadRoom} is asked as bytes arrive, so that memory can follow the bytes received
     * rather than the length a header announced.
     *
     * @throws WsCloseException if no buffer can be had (e.g. a memory budget is used up)
     */
    default ByteBuffer payloadBuffer(FrameHeader header) throws WsCloseException {
        int length = (int) header.payloadLength();
        return length == 0 ? FrameReader.EMPTY : ByteBuffer.allocate(length);
    }

    /**
     * The buffer {@code payloadBuffer} (or the last call of this) gave is full: return one holding the same bytes at
     * the same indices, positioned at {@code start}, with room for at least {@code wanted} more after the
     * {@code filled} payload bytes already at {@code start}. The default sink never needs it: it allocates the whole
     * payload up front.
     *
     * @throws WsCloseException if no buffer can be had
     */
    default ByteBuffer morePayloadRoom(FrameHeader header, ByteBuffer full, int start, int filled, int wanted)
            throws WsCloseException {
        throw new IllegalStateException("no room for " + wanted + " more bytes of a " + header.payloadLength()
                + "-byte payload");
    }

    /**
     * Payload bytes {@code [from, to)} of {@code buffer} (absolute indices) just arrived, already unmasked.
     *
     * @throws WsCloseException to fail the connection now, before the rest of the frame arrives
     */
    default void onPayload(FrameHeader header, ByteBuffer buffer, int from, int to) throws WsCloseException {
    }
}
