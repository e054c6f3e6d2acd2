/**
 * On-the-fly remuxing of a progressive MP4 into fragmented MP4 (ISO/IEC 14496-12 §8.8) for Media Source
 * Extensions: {@link dev.streamlab.stream.fmp4.Fmp4Remuxer} opens a file and hands out, per track, an
 * {@link dev.streamlab.stream.fmp4.InitSegment} and {@link dev.streamlab.stream.fmp4.Segment}s, each a gather list
 * ready for one {@code GatheringByteChannel.write}.
 *
 * <p>Copies per byte, disk to socket: sample data, zero in user space (views of one {@code FileChannel.map}ping of
 * the source; the kernel copies page cache to socket buffer); the sample entry in the init segment, zero (a view
 * of the mapped {@code moov}); box headers, built once into a fresh heap buffer and copied once more by the JDK
 * into a temporary direct buffer for the write. How we know: {@code SegmentAllocationTest} measures the bytes a
 * thread allocates per segment ({@code ThreadMXBean}) for GOPs of the 360p and 720p ladder rungs, and
 * {@code dev.streamlab.bench.Fmp4Benchmark} compares {@code gc.alloc.rate.norm} with copying every sample into one
 * {@code byte[]}.
 *
 * <p>Try it: {@code Fmp4FfprobeOracleTest} writes init + every segment of each bundled sample to a file and checks
 * with ffprobe that every packet's pts, dts and keyframe flag are the source's; {@code Fmp4MseBrowserIT} plays the
 * segments through MSE in Chromium.
 */
package dev.streamlab.stream.fmp4;
