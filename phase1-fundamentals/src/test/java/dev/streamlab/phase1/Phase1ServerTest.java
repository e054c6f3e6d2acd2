package dev.streamlab.phase1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.testing.ExternalTools;
import dev.streamlab.testing.UnlistableFolder;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The phase 1 page over a real socket on 127.0.0.1, driven by the JDK's HTTP client. */
class Phase1ServerTest {
    private final HttpClient client = HttpClient.newHttpClient();

    private HttpResponse<String> get(URI uri, String method) throws Exception {
        return client.send(HttpRequest.newBuilder(uri).method(method, HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesThePageAndAProbeOfEverySample() throws Exception {
        try (Phase1Server s = Phase1Server.start("127.0.0.1", 0, ExternalTools.media(),
                ExternalTools.root().resolve("frontend"))) {
            HttpResponse<String> page = get(s.uri(), "GET");
            assertEquals(200, page.statusCode());
            assertTrue(page.headers().firstValue("content-type").orElse("").startsWith("text/html"));
            assertTrue(page.body().contains("/api/probe"));

            HttpResponse<String> api = get(s.uri().resolve("/api/probe"), "GET");
            assertEquals(200, api.statusCode());
            for (Path p : ExternalTools.bundledSamples()) {
                assertTrue(api.body().contains(p.getFileName().toString()), p + " missing");
            }
            assertTrue(api.body().contains("\"codec\": \"avc1.64001e\""));
        }
    }

    @Test
    void aBrokenFileShowsItsErrorWithoutHidingTheOthers(@TempDir Path media) throws Exception {
        Files.copy(ExternalTools.media().resolve("sample-10s-360p-video-only.mp4"), media.resolve("good.mp4"));
        Files.writeString(media.resolve("bad.mp4"), "not a video at all");
        try (Phase1Server s = Phase1Server.start("127.0.0.1", 0, media, ExternalTools.root().resolve("frontend"))) {
            String body = get(s.uri().resolve("/api/probe"), "GET").body();
            assertTrue(body.contains("\"error\": \"file at byte 0: not an MP4"), body);
            assertTrue(body.contains("\"file\": \"good.mp4\"") && body.contains("\"sample_count\": 300"), body);
        }
    }

    @Test
    void aMediaFolderRemovedWhileRunningIsAClearErrorNotAnEmptyReply(@TempDir Path tmp) throws Exception {
        Path media = Files.createDirectory(tmp.resolve("media"));
        Files.copy(ExternalTools.media().resolve("sample-10s-360p-video-only.mp4"), media.resolve("good.mp4"));
        try (Phase1Server s = Phase1Server.start("127.0.0.1", 0, media, ExternalTools.root().resolve("frontend"))) {
            assertEquals(200, get(s.uri().resolve("/api/probe"), "GET").statusCode());
            Files.delete(media.resolve("good.mp4"));
            Files.delete(media);
            HttpResponse<String> gone = get(s.uri().resolve("/api/probe"), "GET");
            assertEquals(503, gone.statusCode(), gone.body());
            assertTrue(gone.body().contains("cannot list the media folder " + media + ": no such directory"),
                    gone.body());
            assertEquals(503, get(s.uri().resolve("/api/probe"), "HEAD").statusCode());
            Files.createDirectory(media);
            assertEquals(200, get(s.uri().resolve("/api/probe"), "GET").statusCode(), "back when the folder is");
        }
    }

    @Test
    void aSubfolderThatCannotBeListedIsNamedAndHidesNoOtherFile(@TempDir Path tmp) throws Exception {
        try (UnlistableFolder folder = UnlistableFolder.under(tmp)) {
            Files.copy(ExternalTools.media().resolve("sample-10s-360p-video-only.mp4"),
                    folder.media().resolve("good.mp4"));
            try (Phase1Server s = Phase1Server.start("127.0.0.1", 0, folder.media(),
                    ExternalTools.root().resolve("frontend"))) {
                HttpResponse<String> api = get(s.uri().resolve("/api/probe"), "GET");
                assertEquals(200, api.statusCode(), api.body());
                assertTrue(api.body().contains("\"file\": \"good.mp4\"") && api.body().contains("\"sample_count\": 300"),
                        api.body());
                assertTrue(api.body().contains("\"file\": \"" + folder.name() + "\",\n      \"error\": \"cannot list "
                        + "this folder: File name too long\""), api.body());
            }
        }
    }

    @Test
    void unknownPathsAre404AndOtherMethods405WithAllow() throws Exception {
        try (Phase1Server s = Phase1Server.start("127.0.0.1", 0, ExternalTools.media(),
                ExternalTools.root().resolve("frontend"))) {
            assertEquals(404, get(s.uri().resolve("/nope"), "GET").statusCode());
            // The error quotes the path, cut short: a 6 KB path must not come back as a 6 KB error.
            HttpResponse<String> longPath = get(s.uri().resolve("/" + "x".repeat(6_000)), "GET");
            assertEquals(404, longPath.statusCode());
            assertTrue(longPath.body().length() < 200 && longPath.body().contains("no such page: /xxx"),
                    longPath.body().length() + " chars: " + longPath.body().substring(0, 60));
            HttpResponse<String> post = get(s.uri().resolve("/api/probe"), "POST");
            assertEquals(405, post.statusCode());
            assertEquals("GET, HEAD", post.headers().firstValue("allow").orElse(""));
            HttpResponse<String> head = get(s.uri().resolve("/api/probe"), "HEAD");
            assertEquals(200, head.statusCode());
            assertEquals("", head.body());
        }
    }

    @Test
    void mainPrintsTheUrlOrSaysWhyItCannotStart() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        try (Phase1Server s = Phase1Main.start(o, e, "--port", "0", "--media", ExternalTools.media().toString())) {
            assertNotNull(s, err.toString(StandardCharsets.UTF_8));
            assertTrue(out.toString(StandardCharsets.UTF_8).contains("Open http://127.0.0.1:"));
        }
        try (ServerSocket busy = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            assertNull(Phase1Main.start(o, e, "--port", String.valueOf(busy.getLocalPort()),
                    "--media", ExternalTools.media().toString()));
            assertTrue(err.toString(StandardCharsets.UTF_8).contains("is the port in use?"), err.toString());
        }
        assertNull(Phase1Main.start(o, e, "--media", "/definitely/not/here"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("is not a directory"));
        // jdk.httpserver reports it as a SocketException "Unresolved address", which said nothing about --host.
        assertNull(Phase1Main.start(o, e, "--port", "0", "--host", "999.1.1.1", "--media", ExternalTools.media().toString()));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("phase1: cannot resolve the host to listen on"),
                err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void helpPrintsTheUsageAndStartsNothing() throws Exception {
        // In its own JVM: a main that started a server would block and never exit 0.
        ExternalTools.Exit r = ExternalTools.javaMain(Phase1Main.class, "--help");
        assertEquals(0, r.status(), r.err());
        assertEquals(Phase1Main.USAGE + "\n", r.out());
        assertEquals("", r.err());
    }

    @Test
    void anUnknownArgumentIsNamedWithTheUsage() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertNull(Phase1Main.start(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), "--port", "0", "--bogus"));
        String said = err.toString(StandardCharsets.UTF_8);
        assertTrue(said.contains("unknown arguments [--bogus]") && said.contains(Phase1Main.USAGE), said);
    }
}
