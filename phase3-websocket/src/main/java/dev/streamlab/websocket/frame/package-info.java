/**
 * The RFC 6455 byte codec (§5.2 base framing, §5.3 masking), independent of sockets and of the protocol rules:
 * {@link dev.streamlab.websocket.frame.FrameReader} turns bytes into {@link dev.streamlab.websocket.frame.Frame}s,
 * {@link dev.streamlab.websocket.frame.FrameWriter} turns a header and a payload into buffers for one gathering
 * write. Which frames are allowed is decided a layer up, in {@code dev.streamlab.websocket.WsValidator}, plugged
 * into the reader as a {@link dev.streamlab.websocket.frame.FrameSink} — the split of the JDK's
 * {@code jdk.internal.net.http.websocket.Frame} and Jetty's {@code Parser}.
 *
 * <p>Copies per payload byte: reading, one (socket read buffer → payload buffer, unmasked on the way, eight bytes
 * per step); writing as a server, none in user space (the caller's buffer goes straight into
 * {@code GatheringByteChannel.write(ByteBuffer[])}; for a heap buffer the JDK's socket channel then copies once into
 * a temporary direct buffer, which a direct payload buffer avoids); writing as a client, one (masking needs a
 * copy). How we know: {@code FrameReaderAllocationTest} measures bytes allocated per frame with
 * {@code ThreadMXBean#getThreadAllocatedBytes}; {@code FrameWriterTest} checks that the payload slot of the
 * gathered pair is the caller's own buffer.
 *
 * <p>Try it: {@code FrameWriterTest} encodes the RFC's §5.7 examples byte for byte; {@code FrameReaderTest} feeds
 * frames one byte at a time.
 */
package dev.streamlab.websocket.frame;
