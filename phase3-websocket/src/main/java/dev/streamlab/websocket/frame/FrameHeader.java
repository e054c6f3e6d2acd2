package dev.streamlab.websocket.frame;

/**
 * The fixed part of a WebSocket frame, RFC 6455 §5.2:
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-------+-+-------------+-------------------------------+
 *  |F|R|R|R| opcode|M| Payload len |    Extended payload length    |
 *  |I|S|S|S|  (4)  |A|     (7)     |             (16/64)           |
 *  |N|V|V|V|       |S|             |   (if payload len==126/127)   |
 *  | |1|2|3|       |K|             |                               |
 *  +-+-+-+-+-------+-+-------------+ - - - - - - - - - - - - - - - +
 *  |     Extended payload length continued, if payload len == 127  |
 *  + - - - - - - - - - - - - - - - +-------------------------------+
 *  |                               |Masking-key, if MASK set to 1  |
 *  +-------------------------------+-------------------------------+
 * </pre>
 *
 * <p>2 to 14 bytes on the wire. The record holds what was on the wire, not what is allowed: a reserved
 * {@code opcode} or a set RSV bit is representable, so that {@code WsValidator} can reject it with the right close
 * code. It checks only what cannot be on the wire at all (a 5-bit opcode, a negative length, a key without MASK).
 *
 * @param fin           1 for the last frame of a message
 * @param rsv1          extension bit 1 (permessage-deflate's "compressed" bit); 0 unless negotiated
 * @param rsv2          extension bit 2
 * @param rsv3          extension bit 3
 * @param opcode        the raw 4-bit opcode, defined or reserved; see {@link WsOpcode#ofCode}
 * @param masked        whether a masking key follows (every client-to-server frame, §5.3)
 * @param maskKey       the 32-bit masking key, first wire byte most significant; 0 when not masked
 * @param payloadLength payload length in bytes, 0 to 2^63-1
 */
public record FrameHeader(boolean fin, boolean rsv1, boolean rsv2, boolean rsv3, int opcode, boolean masked,
                          int maskKey, long payloadLength) {

    public FrameHeader {
        if ((opcode & ~0xF) != 0) throw new IllegalArgumentException("not a 4-bit opcode: " + opcode);
        if (payloadLength < 0) throw new IllegalArgumentException("negative payload length " + payloadLength);
        if (!masked && maskKey != 0) throw new IllegalArgumentException("mask key without MASK bit");
    }

    /** An unmasked header as a server sends it: no RSV bits. */
    public static FrameHeader server(boolean fin, WsOpcode opcode, long payloadLength) {
        return new FrameHeader(fin, false, false, false, opcode.code(), false, 0, payloadLength);
    }

    /** A masked header as a client sends it: no RSV bits. */
    public static FrameHeader client(boolean fin, WsOpcode opcode, int maskKey, long payloadLength) {
        return new FrameHeader(fin, false, false, false, opcode.code(), true, maskKey, payloadLength);
    }

    /** The opcode, or {@code null} if it is a reserved value (3–7, 0xB–0xF). */
    public WsOpcode wsOpcode() {
        return WsOpcode.ofCode(opcode);
    }

    /** Whether the opcode is in the control range %x8-F, defined or reserved (RFC 6455 §5.5). */
    public boolean isControl() {
        return WsOpcode.isControl(opcode);
    }

    /** Whether any of RSV1, RSV2, RSV3 is set. */
    public boolean anyRsv() {
        return rsv1 || rsv2 || rsv3;
    }

    /** The RSV bits as Autobahn numbers them: RSV1 = 4, RSV2 = 2, RSV3 = 1. */
    public int rsvBits() {
        return (rsv1 ? 4 : 0) | (rsv2 ? 2 : 0) | (rsv3 ? 1 : 0);
    }

    /** Bytes this header takes on the wire: 2, 4 or 10, plus 4 for a masking key (RFC 6455 §5.2). */
    public int wireLength() {
        return FrameWriter.headerLength(payloadLength, masked);
    }
}
