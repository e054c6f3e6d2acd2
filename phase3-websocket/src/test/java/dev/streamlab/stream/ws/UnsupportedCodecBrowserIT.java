package dev.streamlab.stream.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.browser.Browser;
import dev.streamlab.http1.Http1Settings;
import dev.streamlab.phase3.Phase3Server;
import dev.streamlab.stream.PlayerPage;
import dev.streamlab.testing.ExternalTools;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The player in ws mode asked for an HEVC video (made by ffmpeg here) in Debian's Chromium, which has no HEVC: the
 * server's {@code unsupported_codecs} error, with its message naming the codec, is what the viewer reads in the
 * page's error box; no media plays. (In a Chromium that does decode HEVC the same test checks the other half of the
 * negotiation: the video plays.)
 *
 * <p>Run alone: {@code mvn -pl phase3-websocket -am verify -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false
 * -Dit.test=UnsupportedCodecBrowserIT}.
 */
class UnsupportedCodecBrowserIT {
    @TempDir
    Path media;

    @Test
    void theViewerReadsTheServersMessageNamingTheCodec() throws Exception {
        Phase3Server server = null;
        try (Browser browser = Browser.open()) { // first: skips (or fails under CI) before anything else starts
            CodecNegotiationTest.encode(media.resolve("hevc-hvc1.mp4"), CodecNegotiationTest.hevc("hvc1"));
            server = Phase3Server.start("127.0.0.1", 0, media,
                    new Phase3Server.Settings(ExternalTools.root().resolve("frontend"), Http1Settings.DEFAULTS));
            server.setUpgradeHandler(PlayerPage.endpoints()
                    .register(StreamEndpoint.PATH, StreamEndpoint.create(server.catalog(), server.metrics())));

            PlayerPage.open(browser, URI.create(server.uri() + "?v=hevc-hvc1&mode=ws&autoplay=1"));
            assertEquals("ws", browser.script("return window.streamlab.mode"));
            Object hevc = browser.script("return MediaSource.isTypeSupported('video/mp4; codecs=\"hvc1.1.6.L30.90\"')");
            if (Boolean.TRUE.equals(hevc)) {
                // A Chromium with an HEVC decoder (not Debian's) lists hvc1 in its hello: then the server must stream
                // the video instead of refusing it, which is the other half of the same negotiation.
                browser.awaitTrue("the HEVC video to play in a Chromium that decodes HEVC",
                        "return document.getElementById('video').currentTime > 1");
                assertEquals(null, browser.script("return window.streamlab.error"), "no error for a decodable codec");
                return;
            }

            String shown = browser.await("the server's error in the page's error box", Browser.WAIT, d -> {
                Object text = browser.script("""
                        const box = document.getElementById('error');
                        return !box.hidden && box.textContent.includes('unsupported_codecs') ? box.textContent : null;""");
                return text instanceof String s ? s : null;
            });
            assertTrue(shown.contains("hvc1.1."), "the server's message names the codec: " + shown);
            assertTrue(shown.contains("nothing is streamed"), "the server's own words: " + shown);
            assertEquals(shown, browser.script("return window.streamlab.error"), "window.streamlab.error says the same");
            @SuppressWarnings("unchecked")
            List<Object> errors = (List<Object>) browser.script("return window.streamlab.bytesLoaded().errors");
            assertTrue(errors.stream().anyMatch(e -> String.valueOf(e).startsWith("unsupported_codecs:")), "" + errors);
            assertEquals(0.0, browser.number("return window.streamlab.bytesLoaded().segments"), "no segment came");
            browser.screenshot("ws-unsupported-hevc");
            browser.assertNoConsoleErrors();
        } finally {
            if (server != null) server.close();
        }
    }
}
