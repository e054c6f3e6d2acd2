package dev.streamlab.phase3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.phase2.RawHttp;
import dev.streamlab.testing.ExternalTools;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The JDK's {@code java.net.http.HttpClient} (HTTP/1.1) as a real client nobody here wrote: it keeps connections
 * alive, pipelines nothing, and is strict about framing, so a wrong Content-Length or a stray byte shows up here.
 */
class Phase3HttpClientTest {
    static final String ID = "sample-30s-360p-h264-aac";
    static Phase3Server server;
    static HttpClient client;
    static byte[] file;

    @BeforeAll
    static void start() throws Exception {
        server = SampleServer.start();
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5))
                .build();
        file = Files.readAllBytes(ExternalTools.media().resolve(ID + ".mp4"));
    }

    @AfterAll
    static void stop() {
        client.close();
        server.close();
    }

    static HttpRequest.Builder get(String path) {
        return HttpRequest.newBuilder(server.uri().resolve(path)).timeout(Duration.ofSeconds(10));
    }

    static long connectionsAccepted() throws Exception {
        for (String l : RawHttp.get(server.uri(), "/metrics").text().split("\n")) {
            if (l.startsWith("streamlab_http_connections_total ")) return Long.parseLong(l.substring(l.indexOf(' ') + 1));
        }
        return 0;
    }

    @Test
    void theJdkClientGetsWholeVideosRangesHeadAndJsonOverOneKeptAliveConnection() throws Exception {
        try (HttpClient fresh = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            oneClientManyRequests(fresh);
        }
    }

    private void oneClientManyRequests(HttpClient client) throws Exception {
        long before = connectionsAccepted();
        HttpResponse<byte[]> whole = client.send(get("/videos/" + ID).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, whole.statusCode());
        assertEquals(HttpClient.Version.HTTP_1_1, whole.version());
        assertArrayEquals(file, whole.body(), "sendfile body, byte for byte");

        HttpResponse<byte[]> range = client.send(get("/videos/" + ID).header("Range", "bytes=1000-1999").build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(206, range.statusCode());
        assertEquals("bytes 1000-1999/" + file.length, range.headers().firstValue("Content-Range").orElseThrow());
        assertArrayEquals(Arrays.copyOfRange(file, 1000, 2000), range.body());

        HttpResponse<Void> head = client.send(get("/videos/" + ID).method("HEAD", HttpRequest.BodyPublishers.noBody())
                .build(), HttpResponse.BodyHandlers.discarding());
        assertEquals(Long.toString(file.length), head.headers().firstValue("Content-Length").orElseThrow());

        HttpResponse<String> api = client.send(get("/api/videos").build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(api.body().contains("\"id\": \"" + ID + "\""), api.body());

        HttpResponse<String> qoe = client.send(get("/api/qoe").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"session\":\"jdk\",\"video\":\"" + ID + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(204, qoe.statusCode());

        String etag = whole.headers().firstValue("ETag").orElseThrow();
        assertEquals(304, client.send(get("/videos/" + ID).header("If-None-Match", etag).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode());
        // Seven requests, one after another: the client reused its connection (the metrics request is its own).
        assertEquals(1, connectionsAccepted() - before - 1);
    }

    @Test
    void twentyConcurrentDownloadsAllArriveIntact() throws Exception {
        List<CompletableFuture<HttpResponse<byte[]>>> all = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            int from = i * 20_000;
            all.add(client.sendAsync(get("/videos/" + ID).header("Range", "bytes=" + from + "-").build(),
                    HttpResponse.BodyHandlers.ofByteArray()));
        }
        for (int i = 0; i < all.size(); i++) {
            HttpResponse<byte[]> r = all.get(i).get();
            assertEquals(206, r.statusCode());
            assertArrayEquals(Arrays.copyOfRange(file, i * 20_000, file.length), r.body(), "download " + i);
        }
    }

    @Test
    void errorsReachTheJdkClientAsJson() throws Exception {
        HttpResponse<String> r = client.send(get("/videos/nope").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(404, r.statusCode());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElseThrow());
        HttpResponse<String> put = client.send(get("/api/videos").PUT(HttpRequest.BodyPublishers.ofString("x"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, put.statusCode());
        assertEquals("GET, HEAD", put.headers().firstValue("Allow").orElseThrow());
    }
}
