package dev.streamlab.stream.fmp4;

import static org.junit.jupiter.api.Assertions.fail;

import dev.streamlab.testing.ExternalTools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * FFmpeg as the independent oracle: ffprobe's packet list (its MP4 demuxer applies edit lists, {@code tfdt} and
 * {@code trun} its own way) and ffmpeg's decoder. Unlike {@link ExternalTools#run}, this keeps stderr: "no output
 * at {@code -v error}" is one of the checks.
 */
final class Ffprobe {
    private Ffprobe() {}

    /** One packet as ffprobe reports it, times in seconds. */
    record Packet(double pts, double dts, boolean key) {}

    /** One entry of FFmpeg's sample index, as its MP4 demuxer built it from the container alone. */
    record IndexEntry(int size, boolean keyframe) {}

    /** What a program printed, and its exit code. */
    record Run(int exit, String out, String err) {}

    /**
     * The packets of the first stream of {@code kind} ({@code "v"} or {@code "a"}), in file order.
     *
     * @throws AssertionError when ffprobe prints anything at {@code -v error} or fails
     */
    static List<Packet> packets(Path file, String kind) throws IOException, InterruptedException {
        Run r = run(120, ExternalTools.ffprobe().toString(), "-v", "error", "-select_streams", kind + ":0",
                "-show_entries", "packet=pts_time,dts_time,flags", "-of", "compact", file.toString());
        if (r.exit != 0 || !r.err.isBlank()) fail("ffprobe " + file + " exited " + r.exit + ":\n" + r.err);
        List<Packet> out = new ArrayList<>();
        for (String line : r.out.split("\n")) {
            if (!line.startsWith("packet|")) continue;
            double pts = Double.NaN;
            double dts = Double.NaN;
            boolean key = false;
            for (String kv : line.substring(7).split("\\|")) {
                int eq = kv.indexOf('=');
                if (eq < 0) continue; // "side_data" opens a nested section (AAC priming's skip samples)
                String k = kv.substring(0, eq);
                String v = kv.substring(eq + 1);
                switch (k) {
                    case "pts_time" -> pts = v.equals("N/A") ? Double.NaN : Double.parseDouble(v);
                    case "dts_time" -> dts = v.equals("N/A") ? Double.NaN : Double.parseDouble(v);
                    case "flags" -> key = v.startsWith("K");
                    default -> { }
                }
            }
            out.add(new Packet(pts, dts, key));
        }
        return out;
    }

    /**
     * The sample index of stream {@code stream}, from the demuxer's trace log ({@code AVIndex stream S, sample N,
     * offset O, dts D, size Z, distance X, keyframe K}). ffprobe's packet flags cannot check a container's sync
     * flags: for H.264 its parser re-derives keyframes from the bitstream. These lines are what the demuxer read
     * from {@code stss} or from {@code trun} sample flags, before any parser.
     */
    static List<IndexEntry> index(Path file, int stream) throws IOException, InterruptedException {
        Run r = run(120, ExternalTools.ffprobe().toString(), "-v", "trace", file.toString());
        if (r.exit != 0) fail("ffprobe -v trace " + file + " exited " + r.exit);
        String prefix = "AVIndex stream " + stream + ", ";
        List<IndexEntry> out = new ArrayList<>();
        for (String line : r.err.split("\n")) {
            int at = line.indexOf(prefix);
            if (at < 0) continue;
            int size = -1;
            boolean key = false;
            for (String field : line.substring(at + prefix.length()).split(", ")) {
                if (field.startsWith("size ")) size = Integer.parseInt(field.substring(5).strip());
                if (field.startsWith("keyframe ")) key = field.substring(9).strip().equals("1");
            }
            out.add(new IndexEntry(size, key));
        }
        return out;
    }

    /** What {@code ffmpeg -v error -i file -f null -} prints while decoding every frame: "" when all is well. */
    static String decodeErrors(Path file) throws IOException, InterruptedException {
        Run r = run(180, ExternalTools.ffmpeg().toString(), "-nostdin", "-v", "error", "-i", file.toString(),
                "-f", "null", "-");
        return r.exit == 0 ? r.err.strip() : "exit " + r.exit + ": " + r.err;
    }

    /** Runs a program to completion (bounded), both streams into files so a full pipe cannot block it. */
    static Run run(int timeoutSeconds, String... command) throws IOException, InterruptedException {
        Path out = Files.createTempFile("streamlab-fmp4", ".out");
        Path err = Files.createTempFile("streamlab-fmp4", ".err");
        try {
            Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail(String.join(" ", command) + " did not finish in " + timeoutSeconds + " s");
            }
            return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
