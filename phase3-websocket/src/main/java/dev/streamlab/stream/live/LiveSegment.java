package dev.streamlab.stream.live;

import java.nio.ByteBuffer;

/**
 * One media segment of a live channel, as the ring buffer holds it: made once by the producer and then shared,
 * read-only, by every viewer.
 *
 * <p>{@code body} is the gather list {@code [moof + mdat header, sample views...]}: the header is a direct buffer
 * built once per segment (the remuxer's heap header copied once, its {@code tfdt} and {@code mfhd} patched for
 * the loop: ~1 KB copied per segment per channel, not per viewer); the samples are views of the mapped file
 * (never copied). A viewer sends {@code [its own 24-byte SegmentHeader, body...]} as one gathering write:
 * {@code WsConnection.sendBinary} duplicates each part (a ~50-byte view object), it copies no byte.
 *
 * @param sequence       position on the channel, from 0 at channel start, +1 per segment, across loops
 * @param keyframe       starts with a sync sample: a place to join or resume
 * @param decodeMs       decode time of the first sample, ms on the channel's continuous timeline
 * @param presentationMs earliest presentation time, ms on that timeline
 * @param startSeconds   presentation start on the timeline, in seconds
 * @param endSeconds     presentation end on the timeline (the next segment's start)
 * @param body           the shared gather list; never modified after construction, never handed out itself
 * @param length         bytes of fMP4 (moof + mdat)
 */
record LiveSegment(long sequence, boolean keyframe, int decodeMs, int presentationMs, double startSeconds,
                   double endSeconds, ByteBuffer[] body, long length) {
    /** Fresh read-only views of the body: positions of their own, the same memory. */
    ByteBuffer[] views() {
        ByteBuffer[] out = new ByteBuffer[body.length];
        for (int i = 0; i < body.length; i++) out[i] = body[i].asReadOnlyBuffer();
        return out;
    }
}
