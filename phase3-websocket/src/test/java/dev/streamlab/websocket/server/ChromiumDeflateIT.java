package dev.streamlab.websocket.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.browser.Browser;
import dev.streamlab.phase3.Phase3Main;
import dev.streamlab.phase3.Phase3Server;
import dev.streamlab.phase3.SampleServer;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Chromium negotiates permessage-deflate (RFC 7692) with phase 3's server — its offer is
 * {@code permessage-deflate; client_max_window_bits} — and every message both ways goes compressed: Chromium
 * compresses all it sends once the extension is agreed, and {@code /ws/echo} answers a compressed message
 * compressed. Wired exactly as {@code ./lab run phase3} wires it ({@link Phase3Main#webSockets}), so the counters
 * are read from the real {@code /metrics}.
 */
class ChromiumDeflateIT {
    static Browser browser;
    static Phase3Server server;

    @BeforeAll
    static void start() throws Exception {
        browser = Browser.open(); // first: skips (or fails under CI) before anything else starts
        server = SampleServer.start();
        server.setUpgradeHandler(Phase3Main.webSockets(server));
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
        if (browser != null) browser.close();
    }

    static long metric(String scrape, String name, String direction) {
        Matcher m = Pattern.compile("(?m)^" + name + "\\{direction=\"" + direction + "\"} (\\d+)").matcher(scrape);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    @Test
    @SuppressWarnings("unchecked")
    void chromiumNegotiatesPermessageDeflateAndEchoesComeBackCompressed() throws Exception {
        browser.get(server.uri());
        browser.script("""
                window.wsResult = null;
                const ws = new WebSocket(location.origin.replace('http', 'ws') + '/ws/echo');
                ws.binaryType = 'arraybuffer';
                const sent = [];
                for (let i = 0; i < 3; i++) {
                  sent.push(JSON.stringify({type: 'metrics', seq: i, viewers: 40 + i, rung: '360p',
                    note: 'héllo 😀 '.repeat(200)}));
                }
                const blob = new Uint8Array(200000);
                for (let i = 0; i < blob.length; i++) blob[i] = (i >> 6) & 0xff;
                const got = [];
                ws.onopen = () => { sent.forEach(s => ws.send(s)); ws.send(blob); };
                ws.onmessage = e => {
                  if (typeof e.data === 'string') { got.push(e.data === sent[got.length] ? 'text ok' : 'text differs'); return; }
                  const b = new Uint8Array(e.data);
                  let same = b.length === blob.length;
                  for (let i = 0; same && i < b.length; i++) same = b[i] === blob[i];
                  got.push('binary ' + b.length + ' ' + same);
                  ws.close(1000, 'done');
                };
                ws.onclose = e => { window.wsResult = {extensions: ws.extensions, got, code: e.code}; };
                ws.onerror = () => { window.wsResult = {extensions: ws.extensions, got, code: -1}; };
                """);
        Map<String, Object> result = browser.await("the compressed echo round trip", Browser.WAIT,
                d -> (Map<String, Object>) browser.script("return window.wsResult;"));
        assertTrue(String.valueOf(result.get("extensions")).startsWith("permessage-deflate"),
                "ws.extensions: " + result.get("extensions"));
        assertEquals(List.of("text ok", "text ok", "text ok", "binary 200000 true"), result.get("got"));
        assertEquals(1000L, ((Number) result.get("code")).longValue());
        browser.assertNoConsoleErrors();

        String scrape = HttpClient.newHttpClient().send(HttpRequest.newBuilder(server.uri().resolve("/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        long received = metric(scrape, "streamlab_ws_deflate_messages_total", "received");
        long sent = metric(scrape, "streamlab_ws_deflate_messages_total", "sent");
        assertEquals(4, received, "Chromium compressed all four messages:\n" + scrape);
        assertEquals(4, sent, "the echo mirrored the compression");
        long raw = metric(scrape, "streamlab_ws_deflate_uncompressed_bytes_total", "sent");
        long wire = metric(scrape, "streamlab_ws_deflate_compressed_bytes_total", "sent");
        assertTrue(raw > 5 * wire, "repetitive JSON and a sawtooth blob shrink well: " + raw + " -> " + wire);
    }
}
