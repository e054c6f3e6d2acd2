package dev.streamlab.http1;

import java.io.IOException;

/**
 * Answers one request, on the connection's own thread (a virtual thread unless the server runs with platform
 * threads), so blocking is fine. Must send a response through the exchange: status and headers, then exactly
 * Content-Length body bytes. An IOException (usually: the client went away) closes the connection; so does a
 * response left short.
 */
@FunctionalInterface
public interface Http1Handler {
    void handle(Http1Exchange exchange) throws IOException;
}
