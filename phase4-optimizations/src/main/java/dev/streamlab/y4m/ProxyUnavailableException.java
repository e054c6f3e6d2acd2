package dev.streamlab.y4m;

/** No .y4m proxy can be made for a video: ffmpeg is missing, failed, or took too long. Routes answer 503 with it. */
public final class ProxyUnavailableException extends Exception {
    private static final long serialVersionUID = 1L;

    public ProxyUnavailableException(String message) {
        super(message);
    }
}
