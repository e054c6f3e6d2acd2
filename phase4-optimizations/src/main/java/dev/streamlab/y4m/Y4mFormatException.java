package dev.streamlab.y4m;

/** A .y4m file this reader cannot use: bad magic, a missing or unsupported header field, a truncated frame. */
public final class Y4mFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    public Y4mFormatException(String message) {
        super(message);
    }
}
