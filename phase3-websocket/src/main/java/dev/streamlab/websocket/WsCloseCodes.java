package dev.streamlab.websocket;

import java.nio.charset.StandardCharsets;

/**
 * WebSocket close status codes (RFC 6455 §7.4, IANA "WebSocket Close Code Number Registry") and the rule for which
 * of them may travel in a Close frame.
 *
 * <table>
 *   <caption>Ranges (RFC 6455 §7.4.2) and what a receiver does with them here</caption>
 *   <tr><th>codes</th><th>meaning</th><th>in a received Close frame</th></tr>
 *   <tr><td>0–999</td><td>"not used"</td><td>invalid → 1002</td></tr>
 *   <tr><td>1000–1003, 1007–1011</td><td>defined by RFC 6455 §7.4.1</td><td>valid, echoed</td></tr>
 *   <tr><td>1004</td><td>reserved</td><td>invalid → 1002</td></tr>
 *   <tr><td>1005, 1006, 1015</td><td>"MUST NOT be set as a status code in a Close control frame"</td><td>invalid → 1002</td></tr>
 *   <tr><td>1012–1014</td><td>registered with IANA after the RFC (service restart, try again later, bad gateway)</td><td>valid, echoed</td></tr>
 *   <tr><td>1016–2999</td><td>reserved for future RFCs, unassigned</td><td>invalid → 1002</td></tr>
 *   <tr><td>3000–3999</td><td>registered with IANA by libraries and frameworks</td><td>valid, echoed</td></tr>
 *   <tr><td>4000–4999</td><td>private use</td><td>valid, echoed</td></tr>
 *   <tr><td>≥ 5000</td><td>outside every range</td><td>invalid → 1002</td></tr>
 * </table>
 *
 * <p>This matches Autobahn|Testsuite: cases 7.7.1–7.7.13 send 1000–1003, 1007–1011, 3000, 3999, 4000, 4999 and
 * expect an echo; cases 7.9.1–7.9.9 send 0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999 and expect 1002. Older
 * Autobahn releases also listed 1012–1015 as invalid (7.9.10–7.9.13); the current suite dropped them once IANA
 * registered 1012–1014, and here they are valid. For 5000 and 65535 (cases 7.13.1, 7.13.2) Autobahn accepts any
 * outcome; we answer 1002.
 */
public final class WsCloseCodes {
    /** 1000: "normal closure, meaning that the purpose for which the connection was established has been fulfilled". */
    public static final int NORMAL_CLOSURE = 1000;
    /** 1001: "an endpoint is going away, such as a server going down or a browser having navigated away". */
    public static final int GOING_AWAY = 1001;
    /** 1002: "an endpoint is terminating the connection due to a protocol error". */
    public static final int PROTOCOL_ERROR = 1002;
    /** 1003: "it has received a type of data it cannot accept". */
    public static final int UNSUPPORTED_DATA = 1003;
    /** 1005: no status code was present; never sent on the wire, only reported to the application. */
    public static final int NO_STATUS_RECEIVED = 1005;
    /** 1006: the connection closed without a Close frame; never sent on the wire. */
    public static final int ABNORMAL_CLOSURE = 1006;
    /** 1007: "data within a message that was not consistent with the type of the message (e.g., non-UTF-8 ...)". */
    public static final int INVALID_PAYLOAD_DATA = 1007;
    /** 1008: a message that violates its policy (generic). */
    public static final int POLICY_VIOLATION = 1008;
    /** 1009: "a message that is too big for it to process". */
    public static final int MESSAGE_TOO_BIG = 1009;
    /** 1010: sent by a client whose required extension the server did not negotiate. */
    public static final int MANDATORY_EXTENSION = 1010;
    /** 1011: "the server encountered an unexpected condition that prevented it from fulfilling the request". */
    public static final int INTERNAL_ERROR = 1011;
    /** 1012: service restart (IANA registry). */
    public static final int SERVICE_RESTART = 1012;
    /** 1013: try again later (IANA registry). */
    public static final int TRY_AGAIN_LATER = 1013;
    /** 1014: bad gateway (IANA registry). */
    public static final int BAD_GATEWAY = 1014;
    /** 1015: the TLS handshake failed; never sent on the wire. */
    public static final int TLS_HANDSHAKE = 1015;

    /** Maximum UTF-8 bytes of a close reason: a control payload is at most 125 bytes, 2 of them the code. */
    public static final int MAX_REASON_BYTES = 123;

    private WsCloseCodes() {
    }

    /** Whether {@code code} may appear in a Close frame, sent or received (see the table above). */
    public static boolean isValid(int code) {
        return (code >= 1000 && code <= 1003)
                || (code >= 1007 && code <= 1014)
                || (code >= 3000 && code <= 4999);
    }

    /** Whether we may put {@code code} into a Close frame we send: the same rule as {@link #isValid}. */
    public static boolean isSendable(int code) {
        return isValid(code);
    }

    /** A short name for logs, e.g. {@code 1002 protocol error}. */
    public static String describe(int code) {
        String name = switch (code) {
            case NORMAL_CLOSURE -> "normal closure";
            case GOING_AWAY -> "going away";
            case PROTOCOL_ERROR -> "protocol error";
            case UNSUPPORTED_DATA -> "unsupported data";
            case 1004 -> "reserved";
            case NO_STATUS_RECEIVED -> "no status received";
            case ABNORMAL_CLOSURE -> "abnormal closure";
            case INVALID_PAYLOAD_DATA -> "invalid payload data";
            case POLICY_VIOLATION -> "policy violation";
            case MESSAGE_TOO_BIG -> "message too big";
            case MANDATORY_EXTENSION -> "mandatory extension";
            case INTERNAL_ERROR -> "internal error";
            case SERVICE_RESTART -> "service restart";
            case TRY_AGAIN_LATER -> "try again later";
            case BAD_GATEWAY -> "bad gateway";
            case TLS_HANDSHAKE -> "TLS handshake";
            default -> code >= 3000 && code <= 3999 ? "registered"
                    : code >= 4000 && code <= 4999 ? "private use"
                    : "invalid";
        };
        return code + " " + name;
    }

    /** {@code reason} cut to at most {@link #MAX_REASON_BYTES} UTF-8 bytes on a code point boundary. */
    public static String truncateReason(String reason) {
        byte[] utf8 = reason.getBytes(StandardCharsets.UTF_8);
        if (utf8.length <= MAX_REASON_BYTES) return reason;
        int end = MAX_REASON_BYTES;
        while (end > 0 && (utf8[end] & 0xC0) == 0x80) end--; // back off continuation bytes to a lead byte
        return new String(utf8, 0, end, StandardCharsets.UTF_8);
    }
}
