package dev.streamlab.stream;

import dev.streamlab.browser.Browser;
import dev.streamlab.phase3.Phase3Server;
import dev.streamlab.websocket.WsHandshake;
import dev.streamlab.websocket.WsLimits;
import dev.streamlab.websocket.server.WsEndpoints;
import java.net.URI;
import java.time.Duration;

/** What the stream browser tests do around the player page: their server's endpoints, opening it, closing up. */
public final class PlayerPage {
    private PlayerPage() {}

    /** The WebSocket endpoints as the page's own server offers them: same origin, default limits, 30 s heartbeat. */
    public static WsEndpoints endpoints() {
        return new WsEndpoints(WsHandshake.sameOrigin(), WsLimits.DEFAULT, Duration.ofSeconds(30));
    }

    /** Unloads the last test's player and forgets its console errors. */
    public static void blank(Browser browser) {
        browser.get(URI.create("about:blank"));
        browser.clearConsoleErrors();
    }

    /** Opens the player at {@code url} and waits until it has loaded the catalog. */
    public static void open(Browser browser, URI url) {
        browser.get(url);
        browser.awaitTrue("the player to load the catalog", "return !!(window.streamlab && window.streamlab.ready)");
    }

    /** An {@code @AfterAll}: the browser, then the server; either may be null (a skipped or failed start). */
    public static void close(Browser browser, Phase3Server server) {
        try {
            if (browser != null) browser.close();
        } finally {
            if (server != null) server.close();
        }
    }
}
