package dev.streamlab.http.range;

/**
 * What the range and conditional logic needs to know about the selected representation (RFC 9110 §3.2): its
 * length, its media type and its validators. Usually a file's size, a type from its extension, and
 * {@link Validators#forFile}.
 *
 * @param length      the representation's length in bytes
 * @param contentType the Content-Type field value, or null for none
 * @param validators  ETag and Last-Modified
 */
public record Representation(long length, String contentType, Validators validators) {
    public Representation {
        if (length < 0) throw new IllegalArgumentException("negative length " + length);
        if (validators == null) throw new IllegalArgumentException("validators");
    }
}
