package dev.streamlab.http1;

import java.io.Serial;

/**
 * A request refused before any handler sees it, with the status to answer it with.
 *
 * <p>What happens next: the connection writes {@link #status()} with {@link #reason()} as a JSON error, then
 * closes. After a framing error nothing later on the connection can be trusted to start a new request, so it is
 * never reused (RFC 9112 §9.3, and §6.3: "the server MUST respond with a 400 (Bad Request) status code and then
 * close the connection").
 *
 * <p>No stack trace: this is a verdict on the client's bytes, thrown once per bad request (and millions of times
 * under a fuzzer), not a bug in our code.
 */
public final class Http1Exception extends Exception {
    @Serial
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String reason;

    /**
     * @param status a 4xx or 5xx status
     * @param reason what was wrong, for people; sent to the client, so it never echoes much of the request
     * @throws IllegalArgumentException if {@code status} is not 400..599
     */
    public Http1Exception(int status, String reason) {
        super(status + " " + Http1Response.reasonPhrase(status) + ": " + reason
                + " (the connection closes after this response)", null, false, false);
        if (status < 400 || status > 599) throw new IllegalArgumentException("not an error status: " + status);
        this.status = status;
        this.reason = reason;
    }

    /** The status to answer with. */
    public int status() {
        return status;
    }

    /** Why, in a sentence. */
    public String reason() {
        return reason;
    }
}
