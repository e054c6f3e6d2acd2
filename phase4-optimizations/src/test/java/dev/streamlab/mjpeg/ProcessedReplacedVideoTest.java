package dev.streamlab.mjpeg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.phase2.RawHttp;
import dev.streamlab.phase3.Phase3Main;
import dev.streamlab.phase3.Phase3Server;
import dev.streamlab.testing.ExternalTools;
import dev.streamlab.testing.Fifos;
import dev.streamlab.websocket.WsCloseCodes;
import dev.streamlab.y4m.Y4mProxies;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The routes that hand a catalog video to ffmpeg for its .y4m proxy ({@code /thumbs}, {@code /mjpeg},
 * {@code /ws/processed}) when the listed file has since become a FIFO (ffmpeg's open waits for a writer, the
 * request with it for up to two minutes) or a symbolic-link loop (the stat fails with ELOOP, which the routes took
 * for a client gone). Each must answer at once: a 404, or a Close with the reason. And a listed file changed since
 * its listing: a 503 or Close 1013, try again once the catalog has seen it, not frames of a version it never listed.
 */
class ProcessedReplacedVideoTest {
    static final String SOURCE = "sample-10s-360p-video-only";
    /** A Close or a response is due at once; this only bounds a failing run. */
    static final int WAIT_SECONDS = 10;

    @TempDir
    static Path media;
    @TempDir
    static Path cache;
    static Phase3Server server;

    @BeforeAll
    static void start() throws Exception {
        Files.copy(ExternalTools.media().resolve(SOURCE + ".mp4"), media.resolve(SOURCE + ".mp4"));
        Y4mProxies proxies = new Y4mProxies(cache.resolve("y4m"), ExternalTools.ffmpeg().toString());
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setProperty("streamlab.frontend", ExternalTools.root().resolve("frontend").toString());
        server = Phase3Main.start(new PrintStream(new ByteArrayOutputStream()), new PrintStream(err), "test",
                (s, ws) -> FrameProcessing.install(s, ws, proxies), "--port", "0", "--media", media.toString(),
                "--quiet");
        assertNotNull(server, err.toString(StandardCharsets.UTF_8));
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    /** What takes a listed video's place before the next listing. */
    interface Replacement {
        void make(Path file) throws Exception;
    }

    static final Replacement FIFO = f -> Fifos.make(f);
    static final Replacement LOOP = f -> Files.createSymbolicLink(f, f.getFileName());

    @ParameterizedTest
    @ValueSource(strings = {"fifo", "loop"})
    void thumbnailsOfAReplacedVideoAreA404(String kind) throws Exception {
        String id = "thumbs-" + kind;
        replaced(id, kind, () -> {
            RawHttp.Response r = RawHttp.get(server.uri(), "/thumbs/" + id + "/index.json");
            assertEquals(404, r.status(), r.text());
            assertTrue(r.text().contains(id) && !r.text().contains(media.toString()), r.text());
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"fifo", "loop"})
    void theMjpegStreamOfAReplacedVideoIsA404(String kind) throws Exception {
        String id = "mjpeg-" + kind;
        replaced(id, kind, () -> {
            RawHttp.Response r = RawHttp.get(server.uri(), "/mjpeg/" + id + "?frames=1");
            assertEquals(404, r.status(), r.text());
            assertTrue(r.text().contains(id) && !r.text().contains(media.toString()), r.text());
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"fifo", "loop"})
    void theProcessedWebSocketOfAReplacedVideoClosesWithTheReason(String kind) throws Exception {
        String id = "ws-" + kind;
        replaced(id, kind, () -> {
            String close = closeOf(id);
            assertTrue(close.startsWith(WsCloseCodes.POLICY_VIOLATION + " ") && close.contains(id)
                    && !close.contains(media.toString()), close);
        });
    }

    /**
     * A video truncated in place after it was listed ({@code ffmpeg -y} rewriting it): the catalog answers from its
     * last listing for up to a second, while the proxy is keyed by the file as it is now. Frames of the partial
     * file, a version the catalog never listed, went out as a 200; the stream now waits for the next listing.
     */
    @Test
    void theMjpegStreamOfAVideoTruncatedSinceItWasListedIsA503WithRetryAfter() throws Exception {
        String id = "mjpeg-cut";
        truncatedSinceListed(id, () -> {
            RawHttp.Response r = RawHttp.get(server.uri(), "/mjpeg/" + id + "?frames=1");
            assertEquals(503, r.status(), "not frames of a version the catalog never listed: " + r.header("content-type"));
            assertEquals("1", r.header("Retry-After"));
            assertTrue(r.text().contains(id) && !r.text().contains(media.toString()), r.text());
        });
    }

    /** As {@link #theMjpegStreamOfAVideoTruncatedSinceItWasListedIsA503WithRetryAfter}, over the WebSocket. */
    @Test
    void theProcessedWebSocketOfAVideoTruncatedSinceItWasListedIsToldToTryAgainLater() throws Exception {
        String id = "ws-cut";
        truncatedSinceListed(id, () -> {
            String close = closeOf(id);
            assertTrue(close.startsWith(WsCloseCodes.TRY_AGAIN_LATER + " ") && close.contains(id)
                    && !close.contains(media.toString()), close);
        });
    }

    /**
     * A listed file that is no MP4 at all: {@code /mjpeg} answers 422 from the catalog's entry, and the WebSocket
     * closes with the same words, instead of handing the file to ffmpeg (whose failure came back as a 1011).
     */
    @Test
    void theProcessedWebSocketOfAFileThatIsNoMp4ClosesAsTheMjpegRouteAnswers() throws Exception {
        String id = "not-an-mp4";
        Path file = Files.writeString(media.resolve(id + ".mp4"), "hello, this is text");
        try {
            server.catalog().rescan();
            RawHttp.Response r = RawHttp.get(server.uri(), "/mjpeg/" + id);
            assertEquals(422, r.status(), r.text());
            String close = closeOf(id);
            assertTrue(close.startsWith(WsCloseCodes.POLICY_VIOLATION + " ") && close.contains(id)
                    && close.contains("is not a valid MP4"), close);
        } finally {
            Files.deleteIfExists(file);
            server.catalog().rescan();
        }
    }

    /**
     * A video the catalog accepts but ffmpeg rejects: its {@code stsd} announces 2^32-1 sample entries (the parser
     * reads the first, ffmpeg's demuxer refuses the count). ffmpeg's message starts with the input's path, which went
     * out in the 503 and the Close: the client gets it by the video's id, the server's log keeps the path.
     */
    @Test
    void aVideoFfmpegRejectsIsA503NamingItByIdNotByTheServersPath() throws Exception {
        String id = "rejected";
        Path file = media.resolve(id + ".mp4");
        byte[] mp4 = Files.readAllBytes(media.resolve(SOURCE + ".mp4"));
        int stsd = indexOf(mp4, "stsd".getBytes(StandardCharsets.US_ASCII));
        for (int i = stsd + 8; i < stsd + 12; i++) mp4[i] = (byte) 0xff; // entry_count, after version and flags
        Files.write(file, mp4);
        List<String> logged = new CopyOnWriteArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord r) {
                logged.add(r.getMessage());
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        Logger log = Logger.getLogger(Y4mProxies.class.getName());
        log.addHandler(handler);
        try {
            server.catalog().rescan();
            RawHttp.Response r = RawHttp.get(server.uri(), "/mjpeg/" + id + "?frames=1");
            assertEquals(503, r.status(), r.text());
            assertTrue(r.text().contains("'" + id + "'") && r.text().contains("Invalid data")
                    && !r.text().contains(media.toString()), r.text());
            String close = closeOf(id);
            assertTrue(close.startsWith(WsCloseCodes.INTERNAL_ERROR + " ") && !close.contains(media.toString()),
                    close);
            assertTrue(logged.stream().anyMatch(m -> m.contains(file.toString())), "the log keeps it: " + logged);
        } finally {
            log.removeHandler(handler);
            Files.deleteIfExists(file);
            server.catalog().rescan();
        }
    }

    private static int indexOf(byte[] in, byte[] what) {
        outer:
        for (int i = 0; i + what.length <= in.length; i++) {
            for (int j = 0; j < what.length; j++) {
                if (in[i + j] != what[j]) continue outer;
            }
            return i;
        }
        throw new AssertionError("no " + new String(what, StandardCharsets.US_ASCII) + " box");
    }

    /** The code and reason of the Close that {@code /ws/processed/{id}} gets, as "code reason". */
    private static String closeOf(String id) throws Exception {
        CompletableFuture<String> closed = new CompletableFuture<>();
        WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                .header("Origin", "http://" + server.uri().getAuthority())
                .buildAsync(URI.create("ws://" + server.uri().getAuthority() + "/ws/processed/" + id),
                        new WebSocket.Listener() {
                            @Override
                            public CompletionStage<?> onClose(WebSocket w, int code, String reason) {
                                closed.complete(code + " " + reason);
                                return null;
                            }

                            @Override
                            public void onError(WebSocket w, Throwable error) {
                                closed.completeExceptionally(error);
                            }
                        })
                .get(WAIT_SECONDS, TimeUnit.SECONDS);
        try {
            // A frame first means the stream started: the Close then never comes and this fails after the wait.
            return closed.get(WAIT_SECONDS, TimeUnit.SECONDS);
        } finally {
            ws.abort();
        }
    }

    /** Lists a copy of the video as {@code id}, truncates it to half, runs {@code check}, cleans up. */
    private static void truncatedSinceListed(String id, Check check) throws Exception {
        Path file = media.resolve(id + ".mp4");
        Files.copy(media.resolve(SOURCE + ".mp4"), file);
        try {
            server.catalog().rescan();
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                ch.truncate(Files.size(file) / 2); // moov at the start: ffmpeg still decodes the first seconds
            }
            check.run();
        } finally {
            Files.deleteIfExists(file);
            server.catalog().rescan();
        }
    }

    interface Check {
        void run() throws Exception;
    }

    /** Lists a copy of the video as {@code id}, replaces it by a FIFO or a link loop, runs {@code check}, cleans up. */
    private static void replaced(String id, String kind, Check check) throws Exception {
        Path file = media.resolve(id + ".mp4");
        Files.copy(media.resolve(SOURCE + ".mp4"), file);
        try {
            server.catalog().rescan();
            Files.delete(file);
            (kind.equals("fifo") ? FIFO : LOOP).make(file);
            check.run();
        } finally {
            Fifos.release(file);
            Files.deleteIfExists(file);
            server.catalog().rescan();
        }
    }

}
