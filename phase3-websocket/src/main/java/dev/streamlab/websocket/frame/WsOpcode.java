package dev.streamlab.websocket.frame;

/**
 * The six opcodes RFC 6455 §5.2 defines (IANA "WebSocket Opcode Registry", §11.8). The other ten 4-bit values are
 * reserved: %x3-7 for further non-control frames, %xB-F for further control frames. A {@link FrameHeader} keeps the
 * raw 4-bit value so that the reader can report a reserved opcode and the validator can reject it (→ 1002).
 *
 * <p>Lookup by code is an array index ({@link #ofCode}), not a loop over {@code values()}.
 */
public enum WsOpcode {
    /** %x0: continues the message a TEXT or BINARY frame with FIN=0 started. */
    CONTINUATION(0x0),
    /** %x1: the first (or only) frame of a UTF-8 text message. */
    TEXT(0x1),
    /** %x2: the first (or only) frame of a binary message. */
    BINARY(0x2),
    /** %x8: connection close; optional body = 2-byte status code + UTF-8 reason (§5.5.1). */
    CLOSE(0x8),
    /** %x9: ping; the peer answers with a pong carrying the same application data (§5.5.2). */
    PING(0x9),
    /** %xA: pong; unsolicited pongs are allowed and need no answer (§5.5.3). */
    PONG(0xA);

    private static final WsOpcode[] BY_CODE = new WsOpcode[16];

    static {
        for (WsOpcode op : values()) {
            BY_CODE[op.code] = op;
        }
    }

    private final int code;

    WsOpcode(int code) {
        this.code = code;
    }

    /** The 4-bit value on the wire. */
    public int code() {
        return code;
    }

    /** RFC 6455 §5.5: "Control frames are identified by opcodes where the most significant bit of the opcode is 1." */
    public boolean isControl() {
        return isControl(code);
    }

    /** Whether a raw 4-bit opcode, defined or reserved, is in the control range %x8-F (bit 3 set). */
    public static boolean isControl(int code) {
        return (code & 0x8) != 0;
    }

    /**
     * The opcode with this 4-bit value, or {@code null} for the reserved values 3–7 and 0xB–0xF.
     *
     * @throws IllegalArgumentException if {@code code} is not a 4-bit value
     */
    public static WsOpcode ofCode(int code) {
        if ((code & ~0xF) != 0) throw new IllegalArgumentException("not a 4-bit opcode: " + code);
        return BY_CODE[code];
    }

    /** Whether RFC 6455 defines this 4-bit value (false for reserved values and values outside 0–15). */
    public static boolean isDefined(int code) {
        return (code & ~0xF) == 0 && BY_CODE[code] != null;
    }
}
