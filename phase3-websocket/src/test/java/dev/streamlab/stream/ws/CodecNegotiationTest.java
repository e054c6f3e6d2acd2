package dev.streamlab.stream.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.http1.Http1Settings;
import dev.streamlab.phase3.Phase3Server;
import dev.streamlab.stream.fmp4.Fmp4Remuxer;
import dev.streamlab.stream.ws.StreamClient.Binary;
import dev.streamlab.stream.ws.StreamClient.Text;
import dev.streamlab.testing.ExternalTools;
import dev.streamlab.websocket.WsHandshake;
import dev.streamlab.websocket.WsLimits;
import dev.streamlab.websocket.server.WsEndpoints;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Codec negotiation on {@code /ws/stream} with real files the browser here cannot decode: HEVC (Debian's Chromium
 * has no HEVC decoder) encoded by the real ffmpeg, as phase 1's {@code OtherCodecsAgreeWithFfprobeTest} does. A
 * video whose picture the browser cannot decode is refused with {@code unsupported_codecs} naming the codec, even
 * though its AAC would play; a file that is only sound plays as sound.
 */
class CodecNegotiationTest {
    /** What this Chromium's {@code hello} says about these files: H.264 and AAC, no HEVC. */
    static final String CHROMIUM_HELLO = "{\"type\":\"hello\",\"codecs\":[\"avc1.64001e\",\"avc1.640015\",\"mp4a.40.2\"]}";
    private static final Duration WAIT = Duration.ofSeconds(5);

    @TempDir
    static Path media;
    private static Phase3Server server;

    @BeforeAll
    static void start() throws Exception {
        for (String tag : List.of("hvc1", "hev1")) {
            encode(media.resolve("hevc-" + tag + ".mp4"), hevc(tag));
        }
        encode(media.resolve("tone-only.mp4"), "-vn", "-c:a", "aac");
        server = Phase3Server.start("127.0.0.1", 0, media,
                new Phase3Server.Settings(ExternalTools.root().resolve("frontend"), Http1Settings.DEFAULTS));
        server.setUpgradeHandler(new WsEndpoints(WsHandshake.sameOrigin(), WsLimits.DEFAULT, Duration.ofSeconds(30))
                .register(StreamEndpoint.PATH, StreamEndpoint.create(server.catalog(), server.metrics())));
    }

    /**
     * A 2 s test pattern with a 440 Hz tone, tiny, written to {@code file}; {@code codec} picks the codecs (phase 1's
     * {@code OtherCodecsAgreeWithFfprobeTest} encodes its HEVC, VP9 and AV1 files the same way).
     */
    static void encode(Path file, String... codec) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ExternalTools.ffmpeg().toString(), "-nostdin", "-v", "error", "-y",
                "-f", "lavfi", "-i", "testsrc=size=160x96:rate=10:duration=2",
                "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=2"));
        cmd.addAll(List.of(codec));
        cmd.addAll(List.of("-pix_fmt", "yuv420p", "-shortest", file.toString()));
        ExternalTools.run(120, cmd.toArray(String[]::new));
    }

    /** Phase 1's HEVC encoder arguments, with AAC audio. */
    static String[] hevc(String tag) {
        return new String[] {"-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=none:keyint=10",
                "-tag:v", tag, "-c:a", "aac"};
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"hvc1", "hev1"})
    void anHevcVideoIsRefusedNamingItsCodecEvenThoughItsAudioWouldPlay(String tag) throws Exception {
        try (StreamClient c = new StreamClient(server.uri())) {
            c.send(CHROMIUM_HELLO);
            c.send("{\"type\":\"open\",\"video\":\"hevc-" + tag + "\"}");
            Text error = assertInstanceOf(Text.class, c.next(WAIT));
            assertEquals("error", error.type(), "" + error);
            assertEquals("unsupported_codecs", error.json().get("code"), "" + error);
            String message = (String) error.json().get("message");
            assertTrue(message.contains(tag + ".1."), "the message names the HEVC codec string: " + message);
            assertNull(c.poll(Duration.ofMillis(500)), "nothing streamed: no meta, no audio");

            // The connection stays usable: a file that is only sound plays as sound.
            c.send("{\"type\":\"open\",\"video\":\"tone-only\"}");
            Text meta = assertInstanceOf(Text.class, c.next(WAIT));
            assertEquals("meta", meta.type(), "" + meta);
            assertEquals(List.of("mp4a.40.2"), meta.json().get("codecs"));
            Binary init = assertInstanceOf(Binary.class, c.next(WAIT));
            assertEquals(SegmentHeader.Track.AUDIO, init.header().track());
            assertEquals(SegmentHeader.Kind.INIT, init.header().kind());
            List<Binary> media = StreamEndpointTest.drain(c, Duration.ofMillis(500));
            assertTrue(!media.isEmpty() && media.stream().allMatch(b -> b.header().track() == SegmentHeader.Track.AUDIO),
                    "audio segments: " + media.size());
        }
    }

    @Test
    void aBrowserWithHevcGetsTheHevcVideo() throws Exception {
        try (StreamClient c = new StreamClient(server.uri())) {
            // The codec string phase 1 derives from the file's hvcC, as a browser with HEVC would have said yes to.
            String codec = Fmp4Remuxer.open(media.resolve("hevc-hvc1.mp4")).video()
                    .orElseThrow().codec();
            c.send("{\"type\":\"hello\",\"codecs\":[\"" + codec + "\",\"mp4a.40.2\"]}");
            c.send("{\"type\":\"open\",\"video\":\"hevc-hvc1\"}");
            Text meta = assertInstanceOf(Text.class, c.next(WAIT));
            assertEquals("meta", meta.type(), "" + meta);
            assertEquals(List.of(codec, "mp4a.40.2"), meta.json().get("codecs"));
        }
    }
}
