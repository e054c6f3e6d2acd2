package dev.streamlab.websocket;

/**
 * Size limits for what a peer may send. Both are decided from frame headers, before anything is buffered: a
 * frame longer than {@code maxFramePayload}, or a frame that would take its message past {@code maxMessageSize}
 * (summed over fragments), fails the connection with 1009 (RFC 6455 §7.4.1: "a message that is too big for it to
 * process").
 *
 * <p>With permessage-deflate (RFC 7692) {@code maxMessageSize} bounds both the compressed bytes on the wire (from
 * the headers, as above) and the inflated message, checked while inflating — a zip bomb fails with 1009 before more
 * than {@code maxMessageSize + 1} bytes are produced.
 *
 * <p>Memory: the message buffer grows as payload bytes arrive (doubling), never on a header's word, so a connection
 * holds about twice what it actually sent, up to {@code maxMessageSize}; a header announcing 16 MiB costs nothing
 * until the bytes come. Peers that do send that much share a server-wide {@link MessageBudget}.
 *
 * @param maxFramePayload largest payload of one frame; at least 125 so every legal control frame fits
 * @param maxMessageSize  largest message, all its fragments together; at least {@code maxFramePayload}
 */
public record WsLimits(int maxFramePayload, int maxMessageSize) {

    /**
     * 16 MiB per frame and per message: the largest messages Autobahn|Testsuite section 9 sends (9.1.6, 9.2.6) fit.
     * A server that only takes small commands from its clients should pass something far smaller.
     */
    public static final WsLimits DEFAULT = new WsLimits(16 << 20, 16 << 20);

    public WsLimits {
        if (maxFramePayload < 125) throw new IllegalArgumentException("maxFramePayload " + maxFramePayload + " < 125");
        if (maxMessageSize < maxFramePayload) {
            throw new IllegalArgumentException("maxMessageSize " + maxMessageSize + " < maxFramePayload " + maxFramePayload);
        }
        if (maxMessageSize > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("maxMessageSize too large for an array");
    }
}
