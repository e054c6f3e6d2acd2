package dev.streamlab.thumbs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.mjpeg.FrameProcessing;
import dev.streamlab.phase3.Phase3Main;
import dev.streamlab.phase3.Phase3Server;
import dev.streamlab.shared.json.JsonParser;
import dev.streamlab.testing.ExternalTools;
import dev.streamlab.testing.Fifos;
import dev.streamlab.y4m.Y4mProxies;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ThumbnailRouteTest {
    static final String ID = "sample-10s-360p-video-only";
    static final Pattern CUE = Pattern.compile(
            "(\\d\\d):(\\d\\d):(\\d\\d)\\.(\\d\\d\\d) --> (\\d\\d):(\\d\\d):(\\d\\d)\\.(\\d\\d\\d)\n"
                    + "sprite\\.jpg#xywh=(\\d+),(\\d+),(\\d+),(\\d+)\n");
    @TempDir
    static Path cache;
    static Phase3Server server;
    static Path ffprobe;

    @BeforeAll
    static void start() {
        Path ffmpeg = ExternalTools.ffmpeg();
        ffprobe = ExternalTools.ffprobe();
        Y4mProxies proxies = new Y4mProxies(cache.resolve("y4m"), ffmpeg.toString());
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        server = Phase3Main.start(new PrintStream(new ByteArrayOutputStream()), new PrintStream(err), "test",
                (s, ws) -> FrameProcessing.install(s, ws, proxies),
                "--port", "0", "--media", ExternalTools.media().toString(), "--quiet");
        assertNotNull(server, err.toString());
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    static HttpResponse<byte[]> get(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(server.uri().resolve(path))
                .timeout(Duration.ofSeconds(90)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    record Cue(double start, double end, int x, int y, int w, int h) {}

    static double seconds(Matcher m, int g) {
        return Integer.parseInt(m.group(g)) * 3600 + Integer.parseInt(m.group(g + 1)) * 60
                + Integer.parseInt(m.group(g + 2)) + Integer.parseInt(m.group(g + 3)) / 1000.0;
    }

    /** Truncates the cached proxy of {@link #ID} to a third, as damage from outside the server would. */
    static long damageProxy() throws Exception {
        Path proxy;
        try (var files = Files.list(cache.resolve("y4m"))) {
            proxy = files.filter(p -> p.getFileName().toString().startsWith(ID) && p.toString().endsWith(".y4m"))
                    .findFirst().orElseThrow();
        }
        long size = Files.size(proxy);
        try (var ch = java.nio.channels.FileChannel.open(proxy, java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(size / 3);
        }
        return size;
    }

    @Test
    void aDamagedProxyIsMadeAgainRatherThanFailingEveryRequest() throws Exception {
        assertEquals(200, get("/thumbs/" + ID + "/thumbnails.vtt").statusCode()); // the proxy exists now
        long size = damageProxy();
        // Before: 500 "truncated frame ..." on every request until someone deleted the file.
        assertEquals(200, get("/thumbs/" + ID + "/thumbnails.vtt").statusCode());
        damageProxy();
        HttpResponse<byte[]> mjpeg = get("/mjpeg/" + ID + "?frames=3");
        assertEquals(200, mjpeg.statusCode(), new String(mjpeg.body(), StandardCharsets.UTF_8));
        try (var files = Files.list(cache.resolve("y4m"))) {
            assertEquals(List.of(size), files.filter(p -> p.toString().endsWith(".y4m")
                    && p.getFileName().toString().startsWith(ID)).map(p -> p.toFile().length()).toList(),
                    "made again, whole");
        }
    }

    @Test
    void spriteAndWebVttTrackCoverTheVideoDurationTileByTile() throws Exception {
        HttpResponse<byte[]> vttResponse = get("/thumbs/" + ID + "/thumbnails.vtt");
        assertEquals(200, vttResponse.statusCode());
        assertTrue(vttResponse.headers().firstValue("Content-Type").orElseThrow().startsWith("text/vtt"));
        String vtt = new String(vttResponse.body(), StandardCharsets.UTF_8);
        assertTrue(vtt.startsWith("WEBVTT\n\n"), vtt);
        List<Cue> cues = new ArrayList<>();
        Matcher m = CUE.matcher(vtt);
        while (m.find()) {
            cues.add(new Cue(seconds(m, 1), seconds(m, 5), Integer.parseInt(m.group(9)), Integer.parseInt(m.group(10)),
                    Integer.parseInt(m.group(11)), Integer.parseInt(m.group(12))));
        }
        double duration = Double.parseDouble(ExternalTools.run(30, ffprobe.toString(), "-v", "error",
                "-show_entries", "format=duration", "-of", "csv=p=0",
                ExternalTools.media().resolve(ID + ".mp4").toString()).strip());
        assertEquals((int) Math.ceil(duration / 2 - 0.01), cues.size(), vtt);
        assertEquals(0.0, cues.get(0).start());
        for (int i = 1; i < cues.size(); i++) assertEquals(cues.get(i - 1).end(), cues.get(i).start(), 1e-9);
        assertEquals(duration, cues.getLast().end(), 0.2, "the track ends with the video");

        BufferedImage sprite = ImageIO.read(new ByteArrayInputStream(get("/thumbs/" + ID + "/sprite.jpg").body()));
        assertNotNull(sprite);
        for (Cue c : cues) {
            assertEquals(Y4mProxies.WIDTH / 2, c.w());
            assertTrue(c.x() + c.w() <= sprite.getWidth() && c.y() + c.h() <= sprite.getHeight(), c.toString());
        }

        Map<String, Object> index = JsonParser.parseObject(
                new String(get("/thumbs/" + ID + "/index.json").body(), StandardCharsets.UTF_8), 1 << 20);
        assertEquals(cues.size(), ((List<?>) index.get("tiles")).size());
        assertEquals(duration, ((Number) index.get("duration")).doubleValue(), 0.2);
        assertNotNull(ImageIO.read(new ByteArrayInputStream(get("/thumbs/" + ID + "/poster.jpg").body())));
    }

    @Test
    void sheetsAreCachedOnDiskAndNotRemade() throws Exception {
        assertEquals(200, get("/thumbs/" + ID + "/index.json").statusCode());
        Path dir;
        try (var s = Files.list(cache.resolve("thumbs"))) {
            dir = s.filter(p -> p.getFileName().toString().startsWith(ID + "-") && !p.toString().contains(".part"))
                    .findFirst().orElseThrow();
        }
        var made = Files.getLastModifiedTime(dir.resolve(SpriteSheet.SPRITE));
        assertEquals(200, get("/thumbs/" + ID + "/sprite.jpg").statusCode());
        assertEquals(made, Files.getLastModifiedTime(dir.resolve(SpriteSheet.SPRITE)));
    }

    /**
     * The sheets are cached on disk, where someone may delete a file of one or leave a FIFO in its place: the sheet
     * is made again, not read (a connection closed unanswered) or opened (a request waiting for a writer).
     */
    @Test
    void aCachedSheetMissingAFileOrWithAFifoInItsPlaceIsMadeAgain() throws Exception {
        assertEquals(200, get("/thumbs/" + ID + "/index.json").statusCode());
        Path dir;
        try (var s = Files.list(cache.resolve("thumbs"))) {
            dir = s.filter(p -> p.getFileName().toString().startsWith(ID + "-") && !p.toString().contains(".part"))
                    .findFirst().orElseThrow();
        }
        Path sprite = dir.resolve(SpriteSheet.SPRITE);
        Files.delete(sprite);
        HttpResponse<byte[]> r = get("/thumbs/" + ID + "/sprite.jpg");
        assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
        assertNotNull(ImageIO.read(new ByteArrayInputStream(r.body())));
        Files.delete(sprite);
        Fifos.make(sprite);
        try {
            r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(server.uri().resolve("/thumbs/" + ID
                    + "/sprite.jpg")).timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
            assertNotNull(ImageIO.read(new ByteArrayInputStream(r.body())));
        } finally {
            if (!Files.isRegularFile(sprite, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                Fifos.release(sprite);
                Files.deleteIfExists(sprite);
            }
        }
    }

    /**
     * A video truncated in place after it was listed ({@code ffmpeg -y} rewriting it): the catalog answers from its
     * last listing for up to a second, while the proxy and the sheet are keyed by the file as it is now. The sheet
     * was made from the partial file and sprite.jpg was a 200, then index.json, after the next listing, a 422.
     */
    @Test
    void aVideoTruncatedSinceItWasListedGetsTheCatalogsAnswerForItsSpriteAsForItsIndex(@TempDir Path root,
            @TempDir Path cache) throws Exception {
        Path media = Files.createDirectory(root.resolve("media"));
        Files.createDirectory(root.resolve("frontend")); // where Phase3Main looks for the player, beside the media
        Path file = Files.copy(ExternalTools.media().resolve(ID + ".mp4"), media.resolve("cut.mp4"));
        Y4mProxies proxies = new Y4mProxies(cache.resolve("y4m"), ExternalTools.ffmpeg().toString());
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Phase3Server own = Phase3Main.start(new PrintStream(new ByteArrayOutputStream()), new PrintStream(err), "test",
                (s, ws) -> FrameProcessing.install(s, ws, proxies),
                "--port", "0", "--media", media.toString(), "--quiet");
        assertNotNull(own, err.toString());
        try (own) {
            own.catalog().rescan();
            try (var ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
                ch.truncate(Files.size(file) / 2); // moov at the start: ffmpeg still decodes the first seconds
            }
            HttpResponse<byte[]> sprite = get(own, "/thumbs/cut/sprite.jpg");
            assertEquals(503, sprite.statusCode(), "not a sheet of a version the catalog never listed");
            assertEquals("1", sprite.headers().firstValue("Retry-After").orElse(null));
            own.catalog().rescan();
            for (String name : List.of("index.json", "sprite.jpg")) {
                HttpResponse<byte[]> r = get(own, "/thumbs/cut/" + name);
                assertEquals(422, r.statusCode(), name + ": " + new String(r.body(), StandardCharsets.UTF_8));
            }
        }
    }

    static HttpResponse<byte[]> get(Phase3Server s, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(s.uri().resolve(path))
                .timeout(Duration.ofSeconds(90)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void unknownVideoOrFileIs404() throws Exception {
        assertEquals(404, get("/thumbs/nope/sprite.jpg").statusCode());
        HttpResponse<byte[]> r = get("/thumbs/" + ID + "/../../etc/passwd");
        assertEquals(404, r.statusCode());
        assertEquals(404, get("/thumbs/" + ID + "/other.png").statusCode());
    }
}
