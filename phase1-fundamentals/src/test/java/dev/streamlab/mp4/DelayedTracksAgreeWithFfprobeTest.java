package dev.streamlab.mp4;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.testing.ExternalTools;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A track that does not start at 0: {@code ffmpeg -itsoffset 0.5 -i in.mp4 -c copy out.mp4} delays it by writing a
 * leading empty edit (media_time −1) in its {@code elst}. ffprobe then reports the stream's {@code start_time} as
 * 0.5 and its {@code duration} as the media's, 10 s, while the edit list (and {@code tkhd}) says the track lasts
 * 10.5 s on the timeline. Our parser must say the same as ffprobe: {@link Track#startSeconds()} and
 * {@link Track#playDurationSeconds()}, within one sample; {@link Track#durationSeconds()} stays where it ends.
 *
 * <p>The sources are encoded here by the real ffmpeg: H.264 with B-frames (so the media edit also has a
 * media_time, the reordering delay) and AAC (whose priming ffmpeg 5 keeps as media when it remuxes with an offset,
 * so the audio starts one AAC frame before the offset: ffprobe says 0.478 s for 0.5 at 48 kHz).
 */
class DelayedTracksAgreeWithFfprobeTest {
    @TempDir
    Path dir;

    /**
     * {@code streams}: which tracks of the 10 s source to keep ({@code v}, {@code a} or {@code va}); {@code delayed}:
     * which of them {@code -itsoffset} moves; {@code rate}: the audio's sample rate.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "video-delayed,        v,  v,  48000",
            "audio-delayed,        a,  a,  48000",
            "video-delayed-audio-not, va, v, 44100",
            "audio-delayed-video-not, va, a, 44100",
    })
    void delayedTrackStartsAndLastsAsFfprobeSays(String name, String streams, String delayed, int rate)
            throws Exception {
        Path ffmpeg = ExternalTools.ffmpeg();
        Path source = dir.resolve(name + "-source.mp4");
        List<String> encode = new ArrayList<>(List.of(ffmpeg.toString(), "-nostdin", "-v", "error", "-y"));
        if (streams.contains("v")) {
            encode.addAll(List.of("-f", "lavfi", "-i", "testsrc=size=160x96:rate=24:duration=10"));
        }
        if (streams.contains("a")) {
            encode.addAll(List.of("-f", "lavfi", "-i", "sine=frequency=440:sample_rate=" + rate + ":duration=10"));
        }
        if (streams.contains("v")) encode.addAll(List.of("-c:v", "libx264", "-pix_fmt", "yuv420p")); // B-frames
        if (streams.contains("a")) encode.addAll(List.of("-c:a", "aac"));
        encode.add(source.toString());
        ExternalTools.run(120, encode.toArray(String[]::new));

        // Input 0 is the source delayed by 0.5 s, input 1 the source as it is; each track comes from one of them.
        Path out = dir.resolve(name + ".mp4");
        List<String> remux = new ArrayList<>(List.of(ffmpeg.toString(), "-nostdin", "-v", "error", "-y",
                "-itsoffset", "0.5", "-i", source.toString(), "-i", source.toString()));
        for (char kind : streams.toCharArray()) {
            remux.addAll(List.of("-map", (delayed.indexOf(kind) >= 0 ? "0:" : "1:") + kind));
        }
        remux.addAll(List.of("-c", "copy", out.toString()));
        ExternalTools.run(120, remux.toArray(String[]::new));

        // One sample: the longest any sample of the track lasts (a video frame, an AAC frame of 1024 samples).
        ParserAgreesWithFfprobeTest.assertAgrees(out, DelayedTracksAgreeWithFfprobeTest::oneSample);

        Mp4File mp4 = Mp4File.open(out);
        List<Map<String, String>> theirs = new Ffprobe().streams(out);
        for (int i = 0; i < theirs.size(); i++) {
            Track t = mp4.movie().tracks().get(i);
            String where = name + " track " + t.id() + " (" + t.kind().id() + ")";
            boolean isDelayed = delayed.contains(t.kind() == TrackKind.VIDEO ? "v" : "a");
            double start = Double.parseDouble(theirs.get(i).get("start_time"));
            // The test is only worth something if ffmpeg really delayed the track (and only that one).
            assertTrue(isDelayed ? start > 0.4 && start <= 0.5 : start == 0, where + ": ffprobe start_time " + start);
            assertEquals(isDelayed, t.edits().delay() > 0, where + ": an empty edit? " + t.edits());
            if (t.kind() == TrackKind.VIDEO) assertTrue(t.samples().hasCompositionOffsets(), where + ": B-frames");
            // Where the track ends on the timeline is still where it starts plus how long it plays.
            assertEquals(t.startSeconds() + t.playDurationSeconds(), t.durationSeconds(), oneSample(t),
                    where + " duration on the timeline");
        }
        assertEquals(mp4.movie().tracks().stream().mapToDouble(Track::durationSeconds).max().orElseThrow(),
                mp4.durationSeconds(), 0.001, "the file lasts as long as its track that ends last");
    }

    private static double oneSample(Track t) {
        SampleTable s = t.samples();
        long longest = 0;
        for (int i = 0; i < s.count(); i++) {
            long next = i + 1 < s.count() ? s.decodeTime(i + 1) : s.totalDuration();
            longest = Math.max(longest, next - s.decodeTime(i));
        }
        return (double) longest / t.timescale();
    }
}
