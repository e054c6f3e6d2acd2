package dev.streamlab.websocket.frame;

import java.nio.ByteBuffer;

/**
 * One WebSocket frame: a {@link FrameHeader} and its payload, already unmasked. Data frames (opcodes %x0-7) carry
 * pieces of messages; control frames (%x8-F) manage the connection and may arrive between the fragments of a
 * message (RFC 6455 §5.4, §5.5). Switch over the two kinds with a pattern:
 *
 * {@snippet :
 * switch (frame) {
 *     case Frame.Data d -> assemble(d);
 *     case Frame.Control c -> answer(c);
 * }
 * }
 *
 * <p>The payload is a view (position 0, limit = length) of the buffer the {@link FrameReader} filled, not a copy;
 * its lifetime is the lifetime of that buffer (see {@link FrameSink}).
 */
public sealed interface Frame {

    FrameHeader header();

    /** The unmasked payload, {@code header().payloadLength()} bytes. */
    ByteBuffer payload();

    /** A frame of the right kind for this header. */
    static Frame of(FrameHeader header, ByteBuffer payload) {
        return header.isControl() ? new Control(header, payload) : new Data(header, payload);
    }

    /** TEXT, BINARY, CONTINUATION, or a reserved non-control opcode (%x3-7). */
    record Data(FrameHeader header, ByteBuffer payload) implements Frame {
        public Data {
            check(header, payload, false);
        }
    }

    /** CLOSE, PING, PONG, or a reserved control opcode (%xB-F). */
    record Control(FrameHeader header, ByteBuffer payload) implements Frame {
        public Control {
            check(header, payload, true);
        }
    }

    private static void check(FrameHeader header, ByteBuffer payload, boolean control) {
        if (header.isControl() != control) {
            throw new IllegalArgumentException("opcode " + header.opcode() + " in a " + (control ? "control" : "data") + " frame");
        }
        if (payload.remaining() != header.payloadLength()) {
            throw new IllegalArgumentException("payload of " + payload.remaining() + " bytes, header says " + header.payloadLength());
        }
    }
}
