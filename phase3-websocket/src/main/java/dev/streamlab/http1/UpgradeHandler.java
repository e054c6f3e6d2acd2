package dev.streamlab.http1;

import java.io.IOException;

/**
 * Takes over a connection whose request asks to switch protocols ({@code Upgrade}, RFC 9110 §7.8): the hook for
 * the WebSocket handshake (RFC 6455 §4.2), which lives outside this package.
 *
 * <p>A router passes a request to it with {@link Http1Exchange#upgrade(UpgradeHandler)}. The handler runs on the
 * connection's thread and, if it accepts, owns the connection until it returns: it validates the handshake, sends
 * its response with {@link Http1Upgrade#respond} ({@code 101 Switching Protocols}, or a 4xx such as 400, 403 or 426
 * to refuse), then speaks the new protocol through {@link Http1Upgrade} (reads with timeouts, writes under the
 * write-stall watchdog) or the raw {@link Http1Upgrade#channel()} — inline, or, better for long idle connections,
 * in a loop handed to {@link Http1Upgrade#handOff} that runs once the exchange has unwound. When it is done, the
 * server closes the connection; HTTP/1.1 never resumes on it.
 */
@FunctionalInterface
public interface UpgradeHandler {
    /**
     * @param request    the upgrade request (method, path, {@code Upgrade}, {@code Connection},
     *                   {@code Sec-WebSocket-*} fields)
     * @param connection the connection, with any bytes already read past the request
     * @return true when the handler took the connection (whatever it then sent); false to decline <em>before</em>
     *         touching the connection, and the router answers as if no handler were registered. Touching it and
     *         returning false still counts as taken.
     * @throws IOException when the connection fails; the server closes it
     */
    boolean upgrade(Http1Request request, Http1Upgrade connection) throws IOException;

    /**
     * Whether {@code path} is one this handler upgrades, asked when a request for it came without {@code Upgrade}:
     * a router then answers 426 Upgrade Required (RFC 9110 §15.5.22) rather than 404. By default, not known.
     */
    default boolean accepts(String path) {
        return false;
    }
}
