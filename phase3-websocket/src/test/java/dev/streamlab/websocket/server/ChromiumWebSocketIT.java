package dev.streamlab.websocket.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.streamlab.browser.Browser;
import dev.streamlab.phase3.Phase3Server;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Chromium's own WebSocket — a client no one here wrote — against {@code /ws/echo}: text across the UTF-8 range,
 * a binary message larger than one frame read, and the close code echoed. The page is the player's origin, so the
 * server's same-origin check lets it in (a foreign Origin's 403 is in {@link WsServerTest}).
 */
class ChromiumWebSocketIT {
    static Browser browser;
    static Phase3Server server;

    @BeforeAll
    static void start() throws Exception {
        browser = Browser.open(); // first: skips (or fails under CI) before anything else starts
        server = WsTestServer.start(Duration.ofSeconds(30));
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
        if (browser != null) browser.close();
    }

    @Test
    @SuppressWarnings("unchecked")
    void chromiumsWebSocketGetsTextBinaryAndItsCloseCodeEchoed() {
        browser.get(server.uri());
        browser.script("""
                window.wsResult = null;
                const ws = new WebSocket(location.origin.replace('http', 'ws') + '/ws/echo');
                ws.binaryType = 'arraybuffer';
                const got = [];
                const blob = new Uint8Array(300000);
                for (let i = 0; i < blob.length; i++) blob[i] = (i * 31) & 0xff;
                ws.onopen = () => { ws.send('héllo 😀 wörld'); ws.send(blob); };
                ws.onmessage = e => {
                  if (typeof e.data === 'string') { got.push(e.data); return; }
                  const b = new Uint8Array(e.data);
                  let same = b.length === blob.length;
                  for (let i = 0; same && i < b.length; i++) same = b[i] === blob[i];
                  got.push('binary ' + b.length + ' ' + same);
                  ws.close(4321, 'done');
                };
                ws.onclose = e => { window.wsResult = {got, code: e.code}; };
                ws.onerror = () => { window.wsResult = {got, code: -1}; };
                """);
        Map<String, Object> result = browser.await("the echo round trip", Browser.WAIT,
                d -> (Map<String, Object>) browser.script("return window.wsResult;"));
        assertEquals(List.of("héllo 😀 wörld", "binary 300000 true"), result.get("got"));
        assertEquals(4321L, ((Number) result.get("code")).longValue(), "the close code comes back");
        browser.assertNoConsoleErrors();
    }
}
