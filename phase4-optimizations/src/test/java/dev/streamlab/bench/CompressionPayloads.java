package dev.streamlab.bench;

import dev.streamlab.http1.Http1Settings;
import dev.streamlab.phase3.Phase3Main;
import dev.streamlab.phase3.Phase3Server;
import dev.streamlab.shared.json.Json;
import dev.streamlab.stream.fmp4.Fmp4Remuxer;
import dev.streamlab.stream.fmp4.Fmp4Track;
import dev.streamlab.stream.fmp4.Segment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The payloads of phase 4's compression experiment, each what Streamlab really sends (nothing synthetic except
 * the stats values):
 * <ul>
 *   <li>{@code segment-360p}, {@code segment-720p}: one fMP4 video media segment (moof + mdat, one 2 s GOP) as
 *       phase 3's {@link Fmp4Remuxer} cuts it from the bundled sample and the 720p ladder rung;</li>
 *   <li>{@code raw-frame}: one decoded 640×360 YUV 4:2:0 frame of the sample (345,600 bytes), decoded by ffmpeg
 *       into a temporary file — what a server would send if it shipped pixels instead of H.264;</li>
 *   <li>{@code metrics-scrape}: the text of {@code /metrics} from a running phase 3 server;</li>
 *   <li>{@code meta-json}: the {@code meta} message {@code /ws/stream} sends at open (PROTOCOL.md), built from the
 *       sample's tracks;</li>
 *   <li>{@code stats-json}: the {@code stats} message a player sends every second (PROTOCOL.md).</li>
 * </ul>
 * Files come from {@code -Dstreamlab.media} (default {@code ../media}).
 */
final class CompressionPayloads {
    static final String SAMPLE = "sample-30s-360p-h264-aac.mp4";

    private CompressionPayloads() {}

    static Path media() {
        Path dir = Path.of(System.getProperty("streamlab.media", "../media"));
        if (!Files.isDirectory(dir)) throw new IllegalStateException("bundled samples not found at " + dir.toAbsolutePath()
                + " (pass -Dstreamlab.media=<repo>/media)");
        return dir;
    }

    static byte[] load(String name) throws IOException, InterruptedException {
        return switch (name) {
            case "segment-360p" -> concat(videoTrack(media().resolve(SAMPLE)).segment(1));
            case "segment-720p" -> concat(videoTrack(media().resolve("ladder/ladder-30s-720p.mp4")).segment(1));
            case "raw-frame" -> rawFrame(5.0);
            case "metrics-scrape" -> metricsScrape().getBytes(StandardCharsets.UTF_8);
            case "meta-json" -> metaJson().getBytes(StandardCharsets.UTF_8);
            case "stats-json" -> statsJson(0).getBytes(StandardCharsets.UTF_8);
            default -> throw new IllegalArgumentException("unknown payload " + name);
        };
    }

    static Fmp4Track videoTrack(Path file) throws IOException {
        return Fmp4Remuxer.open(file).video().orElseThrow(() -> new IOException(file + " has no video track"));
    }

    /** Every video segment of a file, each as one array (what goes into one WebSocket message). */
    static List<byte[]> allVideoSegments(Path file) throws IOException {
        Fmp4Track t = videoTrack(file);
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < t.segmentCount(); i++) out.add(concat(t.segment(i)));
        return out;
    }

    static byte[] concat(Segment s) {
        byte[] all = new byte[(int) s.length()];
        int at = 0;
        for (ByteBuffer b : s.buffers()) {
            ByteBuffer d = b.duplicate();
            int n = d.remaining();
            d.get(all, at, n);
            at += n;
        }
        return all;
    }

    /**
     * One frame of the sample at {@code seconds}, decoded to raw YUV 4:2:0 by ffmpeg.
     *
     * @throws IllegalStateException if ffmpeg is not installed (the other payloads need nothing)
     */
    static byte[] rawFrame(double seconds) throws IOException, InterruptedException {
        Path ffmpeg = null;
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, "ffmpeg");
            if (Files.isExecutable(p)) ffmpeg = p;
            if (ffmpeg != null) break;
        }
        if (ffmpeg == null) {
            throw new IllegalStateException("the raw-frame payload is decoded by ffmpeg, which is not installed:"
                    + " apt-get install ffmpeg, or leave it out with -p payload=segment-360p,metrics-scrape,...");
        }
        Path out = Files.createTempFile("streamlab-raw-frame", ".yuv");
        try {
            Process p = new ProcessBuilder(ffmpeg.toString(), "-nostdin", "-v", "error", "-y", "-ss", Double.toString(seconds),
                    "-i", media().resolve(SAMPLE).toString(), "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "yuv420p",
                    out.toString()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("ffmpeg did not decode a frame within 60 s");
            }
            if (p.exitValue() != 0) throw new IOException("ffmpeg failed (exit " + p.exitValue() + ") decoding a frame of " + SAMPLE);
            byte[] frame = Files.readAllBytes(out);
            if (frame.length == 0) throw new IOException("ffmpeg wrote an empty frame");
            return frame;
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** {@code /metrics} of a phase 3 server (WebSocket endpoints installed) after a few requests. */
    static String metricsScrape() throws IOException, InterruptedException {
        Path media = media();
        Path root = Path.of(System.getProperty("streamlab.root", media.toAbsolutePath().getParent().toString()));
        Phase3Server server = Phase3Server.start("127.0.0.1", 0, media,
                new Phase3Server.Settings(root.resolve("frontend"), Http1Settings.DEFAULTS));
        try {
            server.setUpgradeHandler(Phase3Main.webSockets(server));
            HttpClient client = HttpClient.newHttpClient();
            for (String path : new String[]{"/", "/api/videos", "/metrics"}) {
                client.send(HttpRequest.newBuilder(server.uri().resolve(path)).build(), HttpResponse.BodyHandlers.discarding());
            }
            return client.send(HttpRequest.newBuilder(server.uri().resolve("/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } finally {
            server.close();
        }
    }

    /** The {@code meta} message of {@code /ws/stream} for the sample, as StreamSession builds it. */
    static String metaJson() {
        try {
            Fmp4Remuxer r = Fmp4Remuxer.open(media().resolve(SAMPLE));
            List<Object> tracks = new ArrayList<>();
            for (Fmp4Track t : r.tracks()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("track", t.kind().id());
                m.put("codec", t.codec());
                m.put("mime", t.mimeType());
                m.put("segments", t.segmentCount());
                tracks.add(m);
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("type", "meta");
            m.put("video", SAMPLE.replace(".mp4", ""));
            m.put("duration", r.durationSeconds());
            m.put("timeline", 1);
            m.put("codecs", r.tracks().stream().map(Fmp4Track::codec).toList());
            m.put("mimes", r.tracks().stream().map(Fmp4Track::mimeType).toList());
            m.put("tracks", tracks);
            m.put("ahead_s", 6);
            return Json.write(m);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The {@code stats} message a player sends once a second (PROTOCOL.md), the {@code i}-th of a session. */
    static String statsJson(int i) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "stats");
        m.put("buffered_s", 4.0 + (i * 37 % 20) / 10.0);
        m.put("t", 12.8 + i);
        return Json.write(m);
    }
}
