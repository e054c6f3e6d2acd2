package dev.streamlab.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.http1.Wire;
import dev.streamlab.phase2.RawHttp;
import dev.streamlab.testing.Await;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The benchmark's floor server must send the right bytes, or its row in the load test measures nothing: ranges
 * byte for byte, keep-alive and pipelining, a body far larger than the socket buffer read slowly (the zero return
 * of {@code transferTo} and its fallback), and its two refusals — each way of sending the body.
 */
class FloorServerTest {
    private static final int SIZE = 8 << 20;

    @TempDir
    Path media;
    private byte[] content;
    private FloorServer server;

    @BeforeEach
    void writeClip() throws IOException {
        content = new byte[SIZE];
        new Random(7).nextBytes(content);
        Files.write(media.resolve("clip.mp4"), content);
    }

    @AfterEach
    void stop() throws IOException {
        if (server != null) server.close();
    }

    /** The three ways the floor can run: virtual threads with sendfile or a mapping, selector loops with sendfile. */
    static Stream<Arguments> variants() {
        return Stream.of(Arguments.of(FloorServer.Body.SENDFILE, FloorServer.Loop.VIRTUAL),
                Arguments.of(FloorServer.Body.MAPPED, FloorServer.Loop.VIRTUAL),
                Arguments.of(FloorServer.Body.SENDFILE, FloorServer.Loop.SELECTOR),
                Arguments.of(FloorServer.Body.MAPPED, FloorServer.Loop.SELECTOR));
    }

    @ParameterizedTest
    @MethodSource("variants")
    void rangeIsTheFileRegionByteForByte(FloorServer.Body body, FloorServer.Loop loop) throws IOException {
        try (Wire w = open(body, loop, 0)) {
            RawHttp.Response r = w.send(get("clip", "bytes=1000-70999")).read();
            assertEquals(206, r.status());
            assertEquals("bytes 1000-70999/" + SIZE, r.header("Content-Range"));
            assertArrayEquals(Arrays.copyOfRange(content, 1000, 71000), r.body());
        }
    }

    @ParameterizedTest
    @MethodSource("variants")
    void pipelinedRequestsOnOneConnectionAreAnsweredInOrder(FloorServer.Body body, FloorServer.Loop loop)
            throws IOException {
        try (Wire w = open(body, loop, 0)) {
            w.send(get("clip", "bytes=0-9") + get("clip", "bytes=" + (SIZE - 5) + "-") + get("clip", null));
            assertArrayEquals(Arrays.copyOfRange(content, 0, 10), w.read().body());
            RawHttp.Response suffixOpen = w.read();
            assertEquals("bytes " + (SIZE - 5) + "-" + (SIZE - 1) + "/" + SIZE, suffixOpen.header("Content-Range"));
            assertArrayEquals(Arrays.copyOfRange(content, SIZE - 5, SIZE), suffixOpen.body());
            RawHttp.Response whole = w.read();
            assertEquals(200, whole.status());
            assertArrayEquals(content, whole.body());
        }
    }

    @Test
    void aSlowReaderOfABodyLargerThanTheSocketBufferGetsEveryByte() throws Exception {
        try (Wire w = open(FloorServer.Body.SENDFILE, FloorServer.Loop.VIRTUAL, 16 * 1024)) {
            w.send(get("clip", null));
            // Not reading yet: the socket buffers fill, transferTo returns 0 and the server falls back.
            boolean fellBack = Await.until(Duration.ofSeconds(10), () -> server.fallbackChunks() > 0);
            RawHttp.Response r = w.read();
            assertEquals(200, r.status());
            assertArrayEquals(content, r.body());
            assertTrue(fellBack, "the fallback was never taken: the test proves nothing");
        }
    }

    @ParameterizedTest
    @CsvSource({"MAPPED, VIRTUAL", "SENDFILE, SELECTOR", "MAPPED, SELECTOR"})
    void aBodyFarLargerThanTheSocketBuffersArrivesWholeWithoutTheFallback(FloorServer.Body body,
                                                                          FloorServer.Loop loop) throws IOException {
        try (Wire w = open(body, loop, 16 * 1024)) {
            // 8 MiB against a 16 KiB receive buffer: the gathering write parks many times (it has no zero return);
            // the selector loop's transferTo or writev takes what fits and waits for OP_WRITE for the rest.
            w.send(get("clip", null) + get("clip", "bytes=5-9"));
            assertArrayEquals(content, w.read().body());
            assertArrayEquals(Arrays.copyOfRange(content, 5, 10), w.read().body());
            assertEquals(0, server.fallbackChunks(), "only a virtual thread's transferTo needs the fallback");
        }
    }

    @ParameterizedTest
    @MethodSource("variants")
    void unsatisfiableOrMalformedRangesAre416AndUnknownFilesAre404(FloorServer.Body body, FloorServer.Loop loop)
            throws IOException {
        try (Wire w = open(body, loop, 0)) {
            w.send(get("clip", "bytes=" + SIZE + "-") + get("clip", "bytes=x-y") + get("missing", null)
                    + get("..%2fetc", null));
            RawHttp.Response past = w.read();
            assertEquals(416, past.status());
            assertEquals("bytes */" + SIZE, past.header("Content-Range"));
            assertEquals(416, w.read().status());
            assertEquals(404, w.read().status());
            assertEquals(404, w.read().status());
        }
    }

    /** Starts the floor as {@code body} and {@code loop}, and connects to it ({@code receiveBuffer} 0: default). */
    private Wire open(FloorServer.Body body, FloorServer.Loop loop, int receiveBuffer) throws IOException {
        server = FloorServer.start(media, 0, body, loop);
        return new Wire(new InetSocketAddress("127.0.0.1", server.port()), receiveBuffer);
    }

    private static String get(String id, String range) {
        return "GET /videos/" + id + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + (range == null ? "" : "Range: " + range + "\r\n") + "\r\n";
    }
}
