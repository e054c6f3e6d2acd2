package dev.streamlab.shared.text;

/** Text a client sent, quoted back in an error message or a Close reason: cut short, so an error never amplifies it. */
public final class ClientText {
    /** Enough of an id, a path or a method to recognise it in an HTTP error body. */
    public static final int IN_ERRORS = 100;

    private ClientText() {}

    /** {@code s} when it has at most {@link #IN_ERRORS} characters, else its first {@code IN_ERRORS} and "...". */
    public static String shorten(String s) {
        return shorten(s, IN_ERRORS);
    }

    /** {@code s} when it has at most {@code max} characters, else its first {@code max} and "...". */
    public static String shorten(String s, int max) {
        if (max < 0) throw new IllegalArgumentException("max must be >= 0, not " + max);
        if (s.length() <= max) return s;
        // Never end on the first half of a surrogate pair: the cut text must still be valid UTF-16 (and UTF-8).
        int end = max > 0 && Character.isHighSurrogate(s.charAt(max - 1)) ? max - 1 : max;
        return s.substring(0, end) + "...";
    }
}
