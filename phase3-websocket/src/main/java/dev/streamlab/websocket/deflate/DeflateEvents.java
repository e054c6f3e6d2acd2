package dev.streamlab.websocket.deflate;

/**
 * What permessage-deflate did, for {@code /metrics}: messages compressed and inflated with their sizes before and
 * after, and the native zlib streams alive (each {@link java.util.zip.Deflater} or {@link java.util.zip.Inflater}
 * holds ~256 KiB / ~40 KiB of native memory outside the Java heap from the first compressed message until
 * {@code end()}; the gauge must return to 0 once every connection is gone). Called on connection threads; implementations must be thread-safe and cheap.
 */
public interface DeflateEvents {
    /** Ignores everything. */
    DeflateEvents NONE = new DeflateEvents() {
    };

    /** A message we sent compressed: {@code raw} bytes became {@code wire} payload bytes. */
    default void compressed(long raw, long wire) {
    }

    /** A compressed message we received: {@code wire} payload bytes inflated to {@code raw}. */
    default void inflated(long wire, long raw) {
    }

    /** A native zlib stream was created (+1) or ended (-1). */
    default void nativeStreams(int delta) {
    }
}
