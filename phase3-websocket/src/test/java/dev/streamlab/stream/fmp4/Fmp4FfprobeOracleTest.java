package dev.streamlab.stream.fmp4;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import dev.streamlab.mp4.TrackKind;
import dev.streamlab.testing.ExternalTools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The correctness oracle: for every bundled sample (and four variants ffmpeg derives from the B-frames one), each
 * track's init segment and all its media segments are written to a file, and FFmpeg — an independent MP4 demuxer
 * and decoder — must see the same stream as in the source:
 * <ul>
 *   <li>{@code ffprobe -v error} prints nothing (no broken box, no timestamp complaint);</li>
 *   <li>the same number of packets, each with the source's pts and dts (to the millisecond — they are in fact
 *       equal to the tick) and the same keyframe flag;</li>
 *   <li>the same sample index as FFmpeg's demuxer builds it from the container alone (sizes, and sync flags
 *       from {@code trun} against the source's {@code stss}) — ffprobe's packet flags alone would not catch a
 *       wrong sync flag, because its H.264 parser re-derives keyframes from the bitstream;</li>
 *   <li>{@code ffmpeg -v error -i out.mp4 -f null -} decodes every frame without a word.</li>
 * </ul>
 * Both cuts run: one segment per GOP, and 7-frame chunks (which split GOPs mid-way, so a broken trun offset or
 * flag would show).
 */
class Fmp4FfprobeOracleTest {
    /** ffprobe prints times with 6 decimals; "to the ms" is half a millisecond either way. */
    private static final double MS = 0.0005;

    private static Path derived;
    private static final Map<String, List<Ffprobe.Packet>> SOURCE = new ConcurrentHashMap<>();

    /**
     * Four variants of the B-frames sample, made with {@code -c copy} (no re-encode): audio alone (the audio-only
     * cut), audio delayed by 0.5 s with {@code -itsoffset}, which ffmpeg writes as a leading empty edit, video
     * with negative composition offsets ({@code negative_cts_offsets}: ctts v1, edit media_time 0), which the
     * remuxer once copied as is and FFmpeg then presented a frame late, and the whole file already fragmented
     * ({@code frag_keyframe+empty_moov}: samples in moof boxes, which the remuxer once refused as "no samples").
     */
    @BeforeAll
    static void deriveVariants() throws IOException, InterruptedException {
        derived = Files.createTempDirectory("streamlab-fmp4-oracle");
        String ffmpeg = ExternalTools.ffmpeg().toString();
        String bframes = ExternalTools.media().resolve("sample-10s-360p-bframes.mp4").toString();
        ExternalTools.run(60, ffmpeg, "-nostdin", "-v", "error", "-y", "-i", bframes, "-vn", "-c", "copy",
                derived.resolve("audio-only.mp4").toString());
        ExternalTools.run(60, ffmpeg, "-nostdin", "-v", "error", "-y", "-i", bframes, "-itsoffset", "0.5", "-i",
                bframes, "-map", "0:v", "-map", "1:a", "-c", "copy", derived.resolve("audio-delayed.mp4").toString());
        ExternalTools.run(60, ffmpeg, "-nostdin", "-v", "error", "-y", "-i", bframes, "-c", "copy", "-movflags",
                "negative_cts_offsets", derived.resolve("negative-cts.mp4").toString());
        ExternalTools.run(60, ffmpeg, "-nostdin", "-v", "error", "-y", "-i", bframes, "-c", "copy", "-movflags",
                "frag_keyframe+empty_moov", derived.resolve("fragmented.mp4").toString());
    }

    @AfterAll
    static void cleanUp() throws IOException {
        if (derived == null) return;
        try (Stream<Path> s = Files.list(derived)) {
            for (Path p : s.toList()) Files.delete(p);
        }
        Files.delete(derived);
    }

    static Stream<Arguments> files() throws IOException {
        List<Path> files = new ArrayList<>(ExternalTools.bundledSamples());
        files.add(Path.of("audio-only.mp4")); // resolved in derived/ once @BeforeAll has run
        files.add(Path.of("audio-delayed.mp4"));
        files.add(Path.of("negative-cts.mp4"));
        files.add(Path.of("fragmented.mp4"));
        List<Arguments> out = new ArrayList<>();
        for (Path f : files) {
            out.add(Arguments.of(f, Cut.gop()));
            out.add(Arguments.of(f, Cut.chunks(7)));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("files")
    void ffmpegSeesTheSourcesPacketsInTheFragmentedOutput(Path file, Cut cut) throws Exception {
        Path source = file.isAbsolute() ? file : derived.resolve(file);
        Fmp4Remuxer fmp4 = Fmp4Remuxer.open(source, cut);
        assertFalse(fmp4.tracks().isEmpty());
        Path dir = Files.createTempDirectory("streamlab-fmp4");
        try {
            for (Fmp4Track track : fmp4.tracks()) {
                String kind = track.kind() == TrackKind.VIDEO ? "v" : "a";
                Path out = Fmp4Files.write(track, dir.resolve(track.kind().id() + ".mp4"));
                List<Ffprobe.Packet> expected = SOURCE.computeIfAbsent(source + "#" + kind, k -> probe(source, kind));
                List<Ffprobe.Packet> actual = Ffprobe.packets(out, kind);
                String what = source.getFileName() + " " + track.kind().id() + " " + cut;
                assertEquals(expected.size(), actual.size(), what + ": packet count");
                for (int i = 0; i < expected.size(); i++) {
                    Ffprobe.Packet e = expected.get(i);
                    Ffprobe.Packet a = actual.get(i);
                    if (Math.abs(e.pts() - a.pts()) > MS || Math.abs(e.dts() - a.dts()) > MS || e.key() != a.key()) {
                        fail(what + ": packet " + i + " is " + a + " in the fragmented output, " + e
                                + " in the source");
                    }
                }
                int stream = sourceStream(fmp4, track);
                List<Ffprobe.IndexEntry> sourceIndex = Ffprobe.index(source, stream);
                assertEquals(track.source().samples().count(), sourceIndex.size(), what + ": source index");
                assertEquals(sourceIndex, Ffprobe.index(out, 0), what + ": sample sizes and sync flags");
                assertEquals("", Ffprobe.decodeErrors(out), what + ": ffmpeg decode errors");
            }
        } finally {
            try (Stream<Path> s = Files.list(dir)) {
                for (Path p : s.toList()) Files.delete(p);
            }
            Files.delete(dir);
        }
    }

    /** The source stream index of a track: FFmpeg numbers streams in trak order, as phase 1 lists tracks. */
    private static int sourceStream(Fmp4Remuxer fmp4, Fmp4Track track) throws IOException {
        return dev.streamlab.mp4.Mp4File.open(fmp4.file()).movie().tracks().stream().map(t -> t.id()).toList()
                .indexOf(track.trackId());
    }

    private static List<Ffprobe.Packet> probe(Path file, String kind) {
        try {
            return Ffprobe.packets(file, kind);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
