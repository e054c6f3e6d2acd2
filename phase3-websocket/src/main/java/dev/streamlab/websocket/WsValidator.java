package dev.streamlab.websocket;

import dev.streamlab.websocket.frame.FrameHeader;
import dev.streamlab.websocket.frame.WsCloseException;
import dev.streamlab.websocket.frame.WsOpcode;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The RFC 6455 rules a frame header must pass before its payload is read, and the fragmentation state they need.
 * Every broken rule is a {@link WsCloseException} naming the rule and the close code to send:
 *
 * <table>
 *   <caption>Header rules, in the order they are checked</caption>
 *   <tr><th>rule</th><th>RFC 6455</th><th>close code</th></tr>
 *   <tr><td>RSV2, RSV3 are 0; RSV1 is 0 unless permessage-deflate was negotiated</td><td>§5.2</td><td>1002</td></tr>
 *   <tr><td>the opcode is defined (not %x3-7, %xB-F)</td><td>§5.2</td><td>1002</td></tr>
 *   <tr><td>client frames are masked, server frames are not</td><td>§5.1</td><td>1002</td></tr>
 *   <tr><td>control frames: FIN = 1 and at most 125 bytes</td><td>§5.5</td><td>1002</td></tr>
 *   <tr><td>RSV1 ("compressed") only on the first frame of a data message: never on a control frame or a
 *       CONTINUATION</td><td>RFC 7692 §6.1</td><td>1002</td></tr>
 *   <tr><td>CONTINUATION only inside a fragmented message</td><td>§5.4</td><td>1002</td></tr>
 *   <tr><td>no TEXT/BINARY while a fragmented message is open</td><td>§5.4</td><td>1002</td></tr>
 *   <tr><td>the message, all fragments together, fits the limit</td><td>§7.4.1</td><td>1009</td></tr>
 * </table>
 *
 * <p>Control frames may come between the fragments of a message (§5.4: "An endpoint MUST be capable of handling
 * control frames in the middle of a fragmented message") and do not change the fragmentation state. The Close
 * body has rules of its own, checked once the frame is complete: {@link #parseClose}. UTF-8 is checked as the
 * payload arrives, by {@link Utf8Validator} in the {@link WsMessageAssembler}.
 */
public final class WsValidator {

    /** Which end of the connection we are; it decides which masking is required (RFC 6455 §5.1). */
    public enum Role {
        /** We are the server: every received frame must be masked. */
        SERVER,
        /** We are the client: no received frame may be masked. */
        CLIENT
    }

    private final Role role;
    private final int maxMessageSize;
    private final boolean compressionNegotiated;
    private WsOpcode openMessage; // TEXT or BINARY while a fragmented message is open, else null
    private long messageLength;   // bytes of the current message admitted so far

    /**
     * @param role           our side of the connection
     * @param maxMessageSize the largest message, summed over its fragments; larger ones fail with 1009
     */
    public WsValidator(Role role, int maxMessageSize) {
        this(role, maxMessageSize, false);
    }

    /**
     * @param role                  our side of the connection
     * @param maxMessageSize        the largest message on the wire, summed over its fragments; larger ones fail
     *                              with 1009 (for a compressed message the inflated size is limited too, by the
     *                              assembler while inflating)
     * @param compressionNegotiated whether permessage-deflate (RFC 7692) was agreed: RSV1 then marks a compressed
     *                              message
     */
    public WsValidator(Role role, int maxMessageSize, boolean compressionNegotiated) {
        this.role = java.util.Objects.requireNonNull(role, "role");
        if (maxMessageSize < 0) throw new IllegalArgumentException("maxMessageSize " + maxMessageSize);
        this.maxMessageSize = maxMessageSize;
        this.compressionNegotiated = compressionNegotiated;
    }

    /**
     * Checks one frame header and advances the fragmentation state.
     *
     * @return for a control frame its opcode; for a data frame the type of the message it belongs to
     *         ({@link WsOpcode#TEXT} or {@link WsOpcode#BINARY}), also for a CONTINUATION
     * @throws WsCloseException if the header breaks a rule (see the table above)
     */
    public WsOpcode checkHeader(FrameHeader h) throws WsCloseException {
        // RFC 6455 §5.2: RSV1-3 "MUST be 0 unless an extension is negotiated that defines meanings for non-zero values"
        // RFC 7692 §6: permessage-deflate defines RSV1 only; RSV2 and RSV3 stay reserved.
        if (h.rsv2() || h.rsv3() || (h.rsv1() && !compressionNegotiated)) {
            throw WsCloseException.protocolError("RSV bits " + h.rsvBits() + " set, but no extension was negotiated"
                    + (compressionNegotiated ? " that defines RSV2 or RSV3" : ""));
        }
        WsOpcode op = h.wsOpcode();
        // RFC 6455 §5.2: "If an unknown opcode is received, the receiving endpoint MUST _Fail the WebSocket Connection_."
        if (op == null) throw WsCloseException.protocolError("reserved opcode " + h.opcode());
        if (role == Role.SERVER && !h.masked()) {
            // RFC 6455 §5.1: "The server MUST close the connection upon receiving a frame that is not masked."
            throw WsCloseException.protocolError("unmasked frame from a client");
        }
        if (role == Role.CLIENT && h.masked()) {
            // RFC 6455 §5.1: "A client MUST close a connection if it detects a masked frame."
            throw WsCloseException.protocolError("masked frame from a server");
        }
        if (h.rsv1() && op.isControl()) {
            // RFC 7692 §6.1: "An endpoint MUST NOT set the "Per-Message Compressed" bit of control frames"
            throw WsCloseException.protocolError("RSV1 (compressed) set on a " + op + " frame");
        }
        if (h.rsv1() && op == WsOpcode.CONTINUATION) {
            // RFC 7692 §6.1: "the "Per-Message Compressed" bit ... MUST NOT [be set] on non-first frames"
            throw WsCloseException.protocolError("RSV1 (compressed) set on a continuation frame");
        }
        if (op.isControl()) {
            // RFC 6455 §5.5: "All control frames MUST have a payload length of 125 bytes or less and MUST NOT be fragmented."
            if (!h.fin()) throw WsCloseException.protocolError("fragmented " + op + " frame");
            if (h.payloadLength() > 125) {
                throw WsCloseException.protocolError(op + " frame with " + h.payloadLength() + " bytes > 125");
            }
            return op;
        }
        WsOpcode type;
        if (op == WsOpcode.CONTINUATION) {
            // RFC 6455 §5.4: a fragmented message is "a single frame with the FIN bit clear and an opcode other
            // than 0, followed by zero or more frames with the FIN bit clear and the opcode set to 0"
            if (openMessage == null) throw WsCloseException.protocolError("continuation frame without a message to continue");
            type = openMessage;
        } else {
            // RFC 6455 §5.4: "The fragments of one message MUST NOT be interleaved between the fragments of another
            // message unless an extension has been negotiated that can interpret the interleaving."
            if (openMessage != null) {
                throw WsCloseException.protocolError(op + " frame while a fragmented " + openMessage + " message is open");
            }
            type = op;
            messageLength = 0;
        }
        // Compared before adding, so that a 2^63-1 length cannot overflow the sum.
        if (h.payloadLength() > maxMessageSize - messageLength) {
            // RFC 6455 §7.4.1: 1009 "a message that is too big for it to process"; decided before reading the payload
            throw WsCloseException.tooBig("message of " + messageLength + " + " + h.payloadLength()
                    + " bytes exceeds the limit of " + maxMessageSize);
        }
        messageLength += h.payloadLength();
        openMessage = h.fin() ? null : type;
        return type;
    }

    /** Whether a fragmented message has begun and not yet ended. */
    public boolean inFragmentedMessage() {
        return openMessage != null;
    }

    /**
     * Checks and decodes the body of a Close frame (RFC 6455 §5.5.1).
     *
     * <ul>
     *   <li>empty: no status code, reported as 1005;</li>
     *   <li>1 byte → 1002: "the first two bytes of the body MUST be a 2-byte unsigned integer";</li>
     *   <li>a code that may not be sent ({@link WsCloseCodes#isValid}) → 1002;</li>
     *   <li>a reason that is not UTF-8 → 1007 ("the body MAY contain UTF-8-encoded data"; Autobahn 7.5.1).</li>
     * </ul>
     *
     * @param payload the unmasked body, from position to limit (not consumed)
     * @throws WsCloseException if the body breaks a rule above
     */
    public static WsEvent.Close parseClose(ByteBuffer payload) throws WsCloseException {
        int length = payload.remaining();
        if (length == 0) return new WsEvent.Close(WsCloseCodes.NO_STATUS_RECEIVED, "");
        if (length == 1) throw WsCloseException.protocolError("close frame with a 1-byte body");
        int start = payload.position();
        int code = ((payload.get(start) & 0xFF) << 8) | (payload.get(start + 1) & 0xFF);
        // RFC 6455 §7.4: 1005, 1006 and 1015 "MUST NOT be set as a status code in a Close control frame"; 0-999
        // are "not used"; unassigned codes in 1000-2999 are reserved
        if (!WsCloseCodes.isValid(code)) throw WsCloseException.protocolError("invalid close code " + code);
        ByteBuffer reason = payload.slice(start + 2, length - 2);
        if (!Utf8Validator.isValid(reason)) throw WsCloseException.invalidPayload("close reason is not valid UTF-8");
        return new WsEvent.Close(code, StandardCharsets.UTF_8.decode(reason).toString());
    }
}
