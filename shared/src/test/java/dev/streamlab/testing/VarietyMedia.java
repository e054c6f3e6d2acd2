package dev.streamlab.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * MP4s unlike the four bundled samples, as users bring them: other codecs, rates, sizes, timescales, GOP shapes,
 * track layouts and muxer flavours (fragmented, Smooth Streaming, QuickTime), made tiny by the real ffmpeg
 * (160x96 or so, 1 s, from {@code testsrc} and {@code sine}). Phase 1 checks its parser against ffprobe on them,
 * phase 3 its remuxer; each test decides what it expects of each file, by name.
 *
 * <p>Everything is made with {@code -c copy} from two encoded bases where possible; the rest is encoded, two at a
 * time. About 5 s on two cores.
 */
public final class VarietyMedia {
    private VarietyMedia() {}

    private static final String VIDEO = "testsrc=size=160x96:rate=25:duration=1";
    private static final String AUDIO = "sine=frequency=440:sample_rate=48000:duration=1";
    private static final String X264 = "-c:v libx264 -preset ultrafast -pix_fmt yuv420p";

    /** name → ffmpeg arguments between {@code -y} and the output; {base}, {bframes}, {srt} name earlier files. */
    private static final Map<String, String> BASES = new LinkedHashMap<>();
    private static final Map<String, String> RECIPES = new LinkedHashMap<>();

    static {
        BASES.put("h264-aac", lavfi(VIDEO) + lavfi(AUDIO) + X264 + " -g 10 -c:a aac -shortest");
        BASES.put("h264-bframes-aac", lavfi(VIDEO) + lavfi(AUDIO)
                + " -c:v libx264 -preset medium -bf 3 -g 12 -pix_fmt yuv420p -c:a aac -shortest");

        // Audio alone, at the rates and channel counts real files have.
        RECIPES.put("aac-mono-8k", lavfi("sine=frequency=440:sample_rate=8000:duration=1") + "-c:a aac -ac 1");
        RECIPES.put("aac-stereo-44k", lavfi("sine=frequency=440:sample_rate=44100:duration=1") + "-c:a aac -ac 2");
        RECIPES.put("aac-96k", lavfi("sine=frequency=440:sample_rate=96000:duration=1") + "-c:a aac");
        // Video shapes and clocks.
        RECIPES.put("fps60", lavfi("testsrc=size=160x96:rate=60:duration=1") + X264);
        RECIPES.put("odd-322x178", lavfi("testsrc=size=322x178:rate=25:duration=1") + X264);
        RECIPES.put("timescale-90k", lavfi(VIDEO) + X264 + " -video_track_timescale 90000");
        RECIPES.put("vfr", lavfi("testsrc=size=160x96:rate=30:duration=1,"
                + "setpts='if(lt(N,10),N/30,(N-10)/10+10/30)/TB'") + X264 + " -fps_mode vfr");
        RECIPES.put("all-intra", lavfi(VIDEO) + X264 + " -g 1");
        RECIPES.put("one-keyframe", lavfi("testsrc=size=160x96:rate=25:duration=2") + X264
                + " -g 1000 -sc_threshold 0");
        RECIPES.put("single-frame", lavfi(VIDEO) + X264 + " -frames:v 1");
        // Layouts.
        RECIPES.put("faststart", "-i {base} -c copy -movflags +faststart");
        RECIPES.put("two-audio", "-i {base} " + lavfi("sine=frequency=880:sample_rate=44100:duration=1")
                + "-map 0 -map 1 -c:v copy -c:a aac");
        RECIPES.put("subtitle", "-i {base} -f srt -i {srt} -map 0 -map 1 -c:v copy -c:a copy -c:s mov_text");
        RECIPES.put("two-video", "-i {base} -i {bframes} -map 0:v -map 1:v -c copy");
        RECIPES.put("rotate90", "-i {base} -c copy -metadata:s:v:0 rotate=90");
        // Codecs MSE plays from MP4.
        RECIPES.put("hevc", lavfi(VIDEO) + "-c:v libx265 -preset ultrafast -x265-params log-level=none:keyint=10"
                + " -tag:v hvc1 -pix_fmt yuv420p");
        RECIPES.put("vp9", lavfi(VIDEO) + "-c:v libvpx-vp9 -deadline realtime -cpu-used 8 -g 10 -b:v 100k");
        RECIPES.put("av1", lavfi(VIDEO) + "-c:v libaom-av1 -cpu-used 8 -usage realtime -g 10 -b:v 100k");
        RECIPES.put("opus", "-i {base} " + lavfi(AUDIO) + "-map 0:v -map 1:a -c:v copy -c:a libopus -b:a 32k");
        RECIPES.put("flac", "-i {base} " + lavfi(AUDIO) + "-map 0:v -map 1:a -c:v copy -c:a flac -strict -2");
        // Mono (the sine is): the sample entry says 2 channels, the frame header 1.
        RECIPES.put("mp3", "-i {base} " + lavfi(AUDIO) + "-map 0:v -map 1:a -c:v copy -c:a libmp3lame");
        // MPEG-2 audio (object type 0x69, half rates), joint stereo.
        RECIPES.put("mp3-stereo-22k", lavfi("sine=frequency=440:sample_rate=22050:duration=1")
                + "-c:a libmp3lame -ac 2");
        // Muxer flavours.
        RECIPES.put("fragmented", "-i {bframes} -c copy -movflags frag_keyframe+empty_moov");
        RECIPES.put("fragmented-hybrid", "-i {bframes} -c copy -movflags frag_keyframe");
        RECIPES.put("cmaf", "-i {base} -c copy -movflags cmaf+frag_keyframe+empty_moov+default_base_moof");
        RECIPES.put("ismv", "-i {base} -c copy -f ismv");
        RECIPES.put("negative-cts", "-i {bframes} -c copy -movflags negative_cts_offsets");
        // No edit list to take back the B-frame delay (nor the AAC priming): the video starts at its first
        // composition offset and ends that much after its mdhd duration.
        RECIPES.put("bframes-no-editlist", "-i {bframes} -c copy -use_editlist 0");
        // Codecs and entries a browser's MSE does not take from MP4.
        RECIPES.put("mpeg4", lavfi(VIDEO) + "-c:v mpeg4");
        RECIPES.put("ac3", "-i {base} " + lavfi(AUDIO) + "-map 0:v -map 1:a -c:v copy -c:a ac3");
        RECIPES.put("pcm-mov", "-i {base} " + lavfi(AUDIO) + "-map 0:v -map 1:a -c:v copy -c:a pcm_s16le -f mov");
        RECIPES.put("aac-in-mov", "-i {base} -c copy -f mov");
    }

    private static String lavfi(String graph) {
        return "-f lavfi -i " + graph + " ";
    }

    /** Every file's name, in a stable order. */
    public static List<String> names() {
        List<String> out = new ArrayList<>(BASES.keySet());
        out.addAll(RECIPES.keySet());
        return out;
    }

    /** Makes every file in {@code dir} (as {@code NAME.mp4}); returns name → path. */
    public static Map<String, Path> generate(Path dir) throws IOException, InterruptedException {
        Path srt = Files.writeString(dir.resolve("subtitle.srt"), "1\n00:00:00,000 --> 00:00:00,500\nhello\n\n"
                + "2\n00:00:00,500 --> 00:00:01,000\nworld\n", StandardCharsets.UTF_8);
        Map<String, Path> out = new LinkedHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            make(pool, dir, BASES, srt, out);
            make(pool, dir, RECIPES, srt, out);
        } finally {
            pool.shutdownNow();
        }
        return out;
    }

    private static void make(ExecutorService pool, Path dir, Map<String, String> recipes, Path srt,
                             Map<String, Path> out) throws InterruptedException, IOException {
        String ffmpeg = ExternalTools.ffmpeg().toString();
        Map<String, Future<Path>> jobs = new LinkedHashMap<>();
        for (var r : recipes.entrySet()) {
            jobs.put(r.getKey(), pool.submit(() -> {
                Path file = dir.resolve(r.getKey() + ".mp4");
                List<String> cmd = new ArrayList<>(List.of(ffmpeg, "-nostdin", "-v", "error", "-y"));
                for (String a : r.getValue().trim().split("\\s+")) {
                    cmd.add(a.replace("{base}", dir.resolve("h264-aac.mp4").toString())
                            .replace("{bframes}", dir.resolve("h264-bframes-aac.mp4").toString())
                            .replace("{srt}", srt.toString()));
                }
                cmd.add(file.toString());
                ExternalTools.run(120, cmd.toArray(String[]::new));
                return file;
            }));
        }
        for (var j : jobs.entrySet()) {
            try {
                out.put(j.getKey(), j.getValue().get());
            } catch (ExecutionException e) {
                if (e.getCause() instanceof Error err) throw err; // a failed assertion: ffmpeg's error, as is
                if (e.getCause() instanceof IOException io) throw io;
                throw new UncheckedIOException(new IOException(j.getKey() + ": " + e.getCause(), e.getCause()));
            }
        }
    }
}
