package dev.streamlab.stream.ws;

import dev.streamlab.stream.fmp4.Fmp4Track;
import dev.streamlab.stream.fmp4.Segment;

/**
 * Where {@code /ws/stream} gets the media segments it sends. Phase 3's default, {@link #RING}, is each track's ring
 * of its 16 most recently built segments ({@link Fmp4Track#sharedSegment}); a later phase installs another with
 * {@link StreamEndpoint#useSegments} (phase 4: its shared, byte-bounded chunk cache, {@code dev.streamlab.cache
 * .StreamSegments}), for every connection from then on.
 *
 * <p>Called by a session's sender thread while it holds the session's lock (the segment decides how far the
 * stream has been sent): an implementation may park briefly — on a {@code ReentrantLock} or a future, which do not
 * pin a virtual thread — but never waits for a client.
 */
@FunctionalInterface
public interface SegmentSource {
    /**
     * Media segment {@code index} of {@code track}: the same bytes and times as {@link Fmp4Track#segment(int)}.
     *
     * @throws IndexOutOfBoundsException when the track has no such segment
     * @throws RuntimeException          when it cannot be made (e.g. {@code UncheckedIOException}): the session
     *                                   closes with 1011
     */
    Served segment(Fmp4Track track, int index);

    /**
     * A segment to send, and how many of its bytes reach the socket with no user-space copy on this write: what
     * {@code streamlab_ws_stream_mapped_bytes_total} adds up (and so {@code streamlab_ws_stream_copies_per_byte}).
     * For a segment built here, the sample bytes (views of the mapped file); its heap {@code moof} is copied once.
     */
    record Served(Segment segment, long uncopiedBytes) {
        public Served {
            if (uncopiedBytes < 0 || uncopiedBytes > segment.length()) {
                throw new IllegalArgumentException(uncopiedBytes + " uncopied bytes of " + segment.length());
            }
        }
    }

    /** Phase 3's: the track's ring; viewers at the same position share one built segment (0 bytes rebuilt). */
    SegmentSource RING = (track, index) -> {
        Segment s = track.sharedSegment(index);
        return new Served(s, s.payloadLength());
    };
}
