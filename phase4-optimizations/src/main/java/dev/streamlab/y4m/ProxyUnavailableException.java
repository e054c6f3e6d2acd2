package dev.streamlab.y4m;

/**
 * No .y4m proxy can be made for a video: ffmpeg is missing, failed, or took too long; or the video changed since the
 * catalog listed it, which the next listing resolves. Routes answer 503 with it (with {@code Retry-After} when
 * {@link #retryAfterSeconds()} is set; WebSocket: close 1013 then, 1011 otherwise).
 */
public final class ProxyUnavailableException extends Exception {
    private static final long serialVersionUID = 1L;
    private final int retryAfterSeconds;

    public ProxyUnavailableException(String message) {
        this(message, 0);
    }

    /** @param retryAfterSeconds how soon asking again may succeed; 0 when not without someone fixing something */
    public ProxyUnavailableException(String message, int retryAfterSeconds) {
        super(message);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
