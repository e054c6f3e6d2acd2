// Notebook 2 — inside an MP4: boxes, sample tables, keyframes.
// Run: ./lab notebook 2      (jshell with the project on the class path; stays open afterwards to explore)
//
// An MP4 is a tree of "boxes": [size:4][type:4][payload]. The media (mdat) is one big blob; everything a
// player needs to find a frame in it lives in the small moov box. Our parser maps moov and walks it with
// ByteBuffer slices: views into the mapping, never copies.

import java.nio.ByteBuffer;
import java.nio.file.Path;
import dev.streamlab.mp4.*;
import dev.streamlab.probe.Probe;

Path media = Path.of(System.getProperty("streamlab.media", "media"));
Path sample = media.resolve("sample-30s-360p-h264-aac.mp4");
Mp4File mp4 = Mp4File.open(sample);

// 1. The top level: ftyp (brands), moov (the index), mdat (the media). Sizes say where the bytes are.
for (BoxHeader h : mp4.topLevel())
    System.out.printf("%-4s at byte %,9d, %,9d bytes%n", h.typeName(), h.offset(), h.size());

// 2. The whole tree, down to the codec configuration (avcC, esds).
System.out.print(Probe.boxes(mp4));

// 3. moov is a view into a memory-mapped file: direct, read-only, no array behind it.
ByteBuffer moovBytes = mp4.moov().bytes();
System.out.println("moov view: direct=" + moovBytes.isDirect() + " readOnly=" + moovBytes.isReadOnly()
        + " hasArray=" + moovBytes.hasArray() + " bytes=" + moovBytes.remaining());

// 4. Tracks and codecs, as a browser's MediaSource wants them (RFC 6381 strings).
for (Track t : mp4.movie().tracks())
    System.out.println("track " + t.id() + " " + t.kind().id() + " " + t.codec() + " timescale " + t.timescale()
            + ", " + t.samples().count() + " samples, " + t.durationSeconds() + " s");

// 5. The sample table: where every frame is (offset, size) and when (decode / presentation time).
Track video = mp4.movie().first(TrackKind.VIDEO).orElseThrow();
for (int i = 0; i < 5; i++)
    System.out.printf("sample %d: offset %,d size %,d dts %d pts %d %s%n", i, video.samples().offset(i),
            video.samples().size(i), video.samples().decodeTime(i), video.presentationTime(i),
            video.samples().isKeyframe(i) ? "KEYFRAME" : "");

// 6. Seeking: a decoder can only start at a keyframe. Which one is at or before 7.3 s? (binary search)
KeyframeIndex keys = video.keyframes();
Keyframe k = keys.atOrBefore(7.3);
System.out.println("seek to 7.3 s -> start decoding at sample " + k.sample() + " (" + k.seconds()
        + " s), byte " + k.offset() + "; keyframes every 2 s: " + java.util.Arrays.toString(keys.seconds()));

// 7. B-frames: decode order is not display order. ctts shifts each frame's presentation time,
//    and the edit list hides the reordering delay so the first frame still shows at 0.
Track bf = Mp4File.open(media.resolve("sample-10s-360p-bframes.mp4")).movie().first(TrackKind.VIDEO).orElseThrow();
for (int i = 0; i < 6; i++)
    System.out.printf("decode #%d: dts %5d + ctts %5d -> pts %5d (%.3f s)%n", i, bf.samples().decodeTime(i),
            bf.samples().compositionOffset(i), bf.presentationTime(i), bf.presentationSeconds(i));
System.out.println("edit list: starts " + bf.edits().mediaTime() + " ticks into the media");

// 8. moov at the end: a browser must fetch the file's tail before it can play a single frame.
System.out.println("faststart? " + Mp4File.open(media.resolve("sample-10s-360p-moov-at-end.mp4")).moovBeforeMdat());

// 9. Bad input gets a typed error naming the box and byte offset, never a random exception.
try {
    Mp4File.parse(ByteBuffer.wrap("this is not a video".getBytes()));
} catch (Mp4FormatException e) {
    System.out.println("as expected: " + e.getMessage());
}
