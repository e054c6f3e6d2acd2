package dev.streamlab.websocket.frame;

import dev.streamlab.websocket.WsCloseCodes;

/**
 * The peer broke RFC 6455 (or a limit of ours): what happens next is _Fail the WebSocket Connection_ (§7.1.7) —
 * send a Close frame with {@link #closeCode()}, then close the TCP connection. Thrown by the frame reader and the
 * protocol validator; never for an I/O failure, never for our own bugs.
 *
 * <p>No stack trace is filled in: the exception is an expected outcome for hostile input, thrown at most once per
 * connection, and the message names the broken rule.
 */
public final class WsCloseException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int closeCode;

    /**
     * @param reason    which rule the peer broke; short enough to go into the Close frame (see {@link #closeReason()})
     * @param closeCode the status code to send (RFC 6455 §7.4.1), e.g. 1002, 1007, 1009
     */
    public WsCloseException(String reason, int closeCode) {
        super(reason, null, false, false);
        if (!WsCloseCodes.isSendable(closeCode)) {
            throw new IllegalArgumentException("close code " + closeCode + " cannot be sent in a Close frame");
        }
        this.closeCode = closeCode;
    }

    /** 1002: the peer broke the framing or the message rules. */
    public static WsCloseException protocolError(String reason) {
        return new WsCloseException(reason, WsCloseCodes.PROTOCOL_ERROR);
    }

    /** 1007: a text message (or a close reason) that is not UTF-8. */
    public static WsCloseException invalidPayload(String reason) {
        return new WsCloseException(reason, WsCloseCodes.INVALID_PAYLOAD_DATA);
    }

    /** 1009: a frame or message larger than our limit. */
    public static WsCloseException tooBig(String reason) {
        return new WsCloseException(reason, WsCloseCodes.MESSAGE_TOO_BIG);
    }

    /** The status code for the Close frame to send. */
    public int closeCode() {
        return closeCode;
    }

    /**
     * The reason cut to fit a Close frame: at most 123 UTF-8 bytes (125 minus the 2-byte code, RFC 6455 §5.5),
     * cut on a code point boundary.
     */
    public String closeReason() {
        String reason = getMessage();
        return reason == null ? "" : WsCloseCodes.truncateReason(reason);
    }
}
