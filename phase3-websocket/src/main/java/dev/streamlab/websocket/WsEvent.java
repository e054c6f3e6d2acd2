package dev.streamlab.websocket;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * What a {@link WsMessageAssembler} hands to the connection loop: a complete message, a control frame, or the
 * peer's Close. Each asks for one obvious action:
 *
 * {@snippet :
 * switch (event) {
 *     case WsEvent.Text t -> onText(t.text());
 *     case WsEvent.Binary b -> onBinary(b.payload());
 *     case WsEvent.Ping p -> writer.write(channel, WsOpcode.PONG, p.payload()); // RFC 6455 §5.5.2
 *     case WsEvent.Pong p -> { }                                                  // §5.5.3: no answer
 *     case WsEvent.Close c -> { writer.writeClose(channel, c.replyCode(), ""); channel.close(); }
 * }
 * }
 *
 * <p><b>Payload lifetime.</b> Payloads are views of the assembler's reused buffers, not copies: valid until the next
 * call to {@link WsMessageAssembler#next}. Answer (or copy) before reading on.
 */
public sealed interface WsEvent {

    /**
     * A complete text message; the payload is valid UTF-8 (already checked, fail-fast, across all fragments).
     *
     * @param payload    the message (inflated, if it came compressed)
     * @param compressed whether it came permessage-deflate compressed (RSV1, RFC 7692)
     */
    record Text(ByteBuffer payload, boolean compressed) implements WsEvent {
        public Text(ByteBuffer payload) {
            this(payload, false);
        }

        /** The message decoded; allocates the string. */
        public String text() {
            return StandardCharsets.UTF_8.decode(payload.duplicate()).toString();
        }
    }

    /**
     * A complete binary message.
     *
     * @param payload    the message (inflated, if it came compressed)
     * @param compressed whether it came permessage-deflate compressed (RSV1, RFC 7692)
     */
    record Binary(ByteBuffer payload, boolean compressed) implements WsEvent {
        public Binary(ByteBuffer payload) {
            this(payload, false);
        }
    }

    /** A ping; answer with a pong carrying the same payload "as soon as is practical" (RFC 6455 §5.5.2). */
    record Ping(ByteBuffer payload) implements WsEvent {
    }

    /** A pong, solicited or not; needs no answer (RFC 6455 §5.5.3). */
    record Pong(ByteBuffer payload) implements WsEvent {
    }

    /**
     * The peer's Close frame, already checked (RFC 6455 §5.5.1, §7.4): answer with a Close of {@link #replyCode()},
     * then close the TCP connection. The assembler reads nothing after it.
     *
     * @param code   the status code received, or 1005 ({@link WsCloseCodes#NO_STATUS_RECEIVED}) for an empty body
     * @param reason the reason received, valid UTF-8, possibly empty
     */
    record Close(int code, String reason) implements WsEvent {
        /**
         * The code to send back: the one received (RFC 6455 §5.5.1: "the endpoint typically echos the status code
         * it received"), or 1000 when the peer sent none — 1005 must never go on the wire.
         */
        public int replyCode() {
            return code == WsCloseCodes.NO_STATUS_RECEIVED ? WsCloseCodes.NORMAL_CLOSURE : code;
        }
    }
}
