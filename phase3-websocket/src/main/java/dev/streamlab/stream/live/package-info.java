/**
 * A catalog video looped as a live channel over WebSocket ({@code /ws/live/{channel}}, PROTOCOL.md "Live channel"):
 * {@link dev.streamlab.stream.live.LiveEndpoint} (the endpoint, its channels and {@code streamlab_live_*} metrics),
 * {@code LiveChannel} (one producer virtual thread per channel, publishing 0.5 s chunks at their wall-clock time,
 * with continuous timestamps across loops, into a ring of recent segments: the GOP cache), {@code LiveSession} (one
 * viewer: a cursor into that ring and a sender virtual thread; a viewer that falls behind skips to the newest
 * keyframe, one that keeps falling behind is closed with 1008), {@link dev.streamlab.stream.live.LiveConfig}.
 *
 * <p>Copies per byte, file to socket, per viewer: sample bytes 0 (views of the mapped file, shared by every
 * viewer); {@code moof} bytes 0 per viewer (copied once per segment per channel into a direct buffer, where the
 * loop's {@code tfdt} is written); 24 protocol-header bytes encoded per viewer per segment. Shown by
 * {@code streamlab_live_copied_bytes_per_segment} (24) at {@code /metrics}, {@code LiveChannelTest} (a segment's
 * parts are the remuxer's mapped views) and {@code ./lab bench phase3-live} (against a copy per viewer).
 */
package dev.streamlab.stream.live;
