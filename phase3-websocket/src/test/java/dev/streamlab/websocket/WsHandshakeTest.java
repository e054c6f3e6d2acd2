package dev.streamlab.websocket;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WsHandshakeTest {
    private static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";

    /** A browser-like handshake from http://localhost:8080 to localhost:8080. */
    static TreeMap<String, String> request() {
        TreeMap<String, String> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        h.put("Host", "localhost:8080");
        h.put("Upgrade", "websocket");
        h.put("Connection", "keep-alive, Upgrade");
        h.put("Sec-WebSocket-Key", KEY);
        h.put("Sec-WebSocket-Version", "13");
        h.put("Origin", "http://localhost:8080");
        return h;
    }

    static WsHandshake.Outcome evaluate(WsHandshake hs, Map<String, String> headers) {
        return hs.evaluate("GET", headers::get);
    }

    static WsHandshake.Reject rejected(Map<String, String> headers) {
        return assertInstanceOf(WsHandshake.Reject.class, evaluate(WsHandshake.sameOrigin(), headers));
    }

    static WsHandshake.Accept accepted(WsHandshake hs, Map<String, String> headers) {
        return assertInstanceOf(WsHandshake.Accept.class, evaluate(hs, headers));
    }

    @Test
    void acceptKeyMatchesTheRfcExample() {
        // RFC 6455 §1.3 and §4.2.2
        assertEquals("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", WsHandshake.acceptKey(KEY));
    }

    @Test
    void aValidRequestIsAcceptedWithTheThreeRequiredHeaders() {
        WsHandshake.Accept a = accepted(WsHandshake.sameOrigin(), request());
        assertEquals(List.of("Upgrade", "Connection", "Sec-WebSocket-Accept"), List.copyOf(a.headers().keySet()));
        assertEquals("websocket", a.headers().get("Upgrade"));
        assertEquals("Upgrade", a.headers().get("Connection"));
        assertEquals("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", a.headers().get("Sec-WebSocket-Accept"));
        assertEquals(Optional.empty(), a.subprotocol());
    }

    @Test
    void onlyGetIsAHandshake() {
        WsHandshake.Outcome o = WsHandshake.sameOrigin().evaluate("POST", request()::get);
        WsHandshake.Reject r = assertInstanceOf(WsHandshake.Reject.class, o);
        assertEquals(405, r.status());
        assertEquals("GET", r.headers().get("Allow"));
    }

    @ParameterizedTest(name = "Upgrade: {0}")
    @ValueSource(strings = {"websocket", "WebSocket", "WEBSOCKET", "h2c, websocket", " websocket "})
    void upgradeTokenIsCaseInsensitiveInACommaList(String upgrade) {
        TreeMap<String, String> h = request();
        h.put("Upgrade", upgrade);
        accepted(WsHandshake.sameOrigin(), h);
    }

    @ParameterizedTest(name = "Upgrade: {0}")
    @ValueSource(strings = {"h2c", "websockets", "web socket", ""})
    void aMissingWebsocketUpgradeTokenIsABadRequest(String upgrade) {
        TreeMap<String, String> h = request();
        h.put("Upgrade", upgrade);
        assertEquals(400, rejected(h).status());
        h.remove("Upgrade");
        assertEquals(400, rejected(h).status());
    }

    @ParameterizedTest(name = "Connection: {0}")
    @ValueSource(strings = {"Upgrade", "upgrade", "keep-alive, Upgrade", "Upgrade,keep-alive"})
    void connectionMustContainTheUpgradeToken(String connection) {
        TreeMap<String, String> h = request();
        h.put("Connection", connection);
        accepted(WsHandshake.sameOrigin(), h);
    }

    @Test
    void aConnectionHeaderWithoutUpgradeIsABadRequest() {
        TreeMap<String, String> h = request();
        h.put("Connection", "keep-alive");
        assertEquals(400, rejected(h).status());
        h.remove("Connection");
        assertEquals(400, rejected(h).status());
    }

    @ParameterizedTest(name = "version {0}")
    @ValueSource(strings = {"8", "7", "12", "14", "13, 8", "thirteen"})
    void otherVersionsGet426AndTheVersionWeSpeak(String version) {
        TreeMap<String, String> h = request();
        h.put("Sec-WebSocket-Version", version);
        WsHandshake.Reject r = rejected(h);
        assertEquals(426, r.status());
        assertEquals("13", r.headers().get("Sec-WebSocket-Version"));
    }

    @Test
    void aMissingVersionGets426Too() {
        TreeMap<String, String> h = request();
        h.remove("Sec-WebSocket-Version");
        assertEquals(426, rejected(h).status());
    }

    @ParameterizedTest(name = "key {0}")
    @ValueSource(strings = {"", "dGhlIHNhbXBsZSBub25jZQ", "dGhlIHNhbXBsZSBub25jZQ=", "dGhlIHNhbXBsZSBub25jZ===",
            "dGhlIHNhbXBsZSBub25j", "dGhlIHNhbXBsZSBub25jZQ==dGhl", "dGhlIHNhbXBsZSBub25jZ!==", "not base64 at all!!!!!!!"})
    void aKeyThatIsNotBase64Of16BytesIsABadRequest(String key) {
        TreeMap<String, String> h = request();
        h.put("Sec-WebSocket-Key", key);
        assertEquals(400, rejected(h).status());
    }

    /**
     * 16 bytes leave 4 unused bits in the 22nd character (RFC 4648 §3.5: zero in a canonical encoding), so it is one
     * of A, Q, g, w. Each key below differs from a canonical one only in those bits: R and f are Q + 1 and
     * Q + 15 (the RFC 6455 example key ends in "ZQ=="), B is A + 1, x and / are w + 1 and w + 15.
     */
    @ParameterizedTest(name = "key {0}")
    @ValueSource(strings = {"dGhlIHNhbXBsZSBub25jZR==", "AAAAAAAAAAAAAAAAAAAAAB==", "/////////////////////x==",
            "//////////////////////==", "dGhlIHNhbXBsZSBub25jZf=="})
    void nonCanonicalKeyPaddingIsRefusedWith400(String key) {
        TreeMap<String, String> h = request();
        h.put("Sec-WebSocket-Key", key);
        WsHandshake.Reject r = rejected(h);
        assertEquals(400, r.status());
        assertTrue(r.reason().contains("canonical") && r.reason().contains("A, Q, g or w"), r.reason());
    }

    @Test
    void keysOfRandomBytesAsBrowsersAndTheJdkSendThemAreAccepted() {
        // RFC 6455 §4.1: "a randomly selected 16-byte value that has been base64-encoded"; Chromium and
        // java.net.http.WebSocket encode it with a standard encoder, which always leaves the pad bits zero.
        java.util.Random random = new java.util.Random(6455);
        byte[] nonce = new byte[16];
        TreeMap<String, String> h = request();
        java.util.Set<Character> lastDataChars = new java.util.TreeSet<>();
        for (int i = 0; i < 1000; i++) {
            random.nextBytes(nonce);
            String key = Base64.getEncoder().encodeToString(nonce);
            lastDataChars.add(key.charAt(21));
            h.put("Sec-WebSocket-Key", key);
            assertEquals(WsHandshake.acceptKey(key), accepted(WsHandshake.sameOrigin(), h).headers()
                    .get("Sec-WebSocket-Accept"), key);
        }
        assertEquals(java.util.Set.of('A', 'Q', 'g', 'w'), lastDataChars, "all four canonical endings were tried");
    }

    @Test
    void keysOf15And17BytesAreRejectedAnd16IsAccepted() {
        Base64.Encoder b64 = Base64.getEncoder();
        TreeMap<String, String> h = request();
        h.put("Sec-WebSocket-Key", b64.encodeToString(new byte[15]));
        assertEquals(400, rejected(h).status());
        h.put("Sec-WebSocket-Key", b64.encodeToString(new byte[17]));
        assertEquals(400, rejected(h).status());
        h.put("Sec-WebSocket-Key", b64.encodeToString(new byte[16]));
        accepted(WsHandshake.sameOrigin(), h);
    }

    @Test
    void aMissingKeyOrHostIsABadRequest() {
        TreeMap<String, String> h = request();
        h.remove("Sec-WebSocket-Key");
        assertEquals(400, rejected(h).status());
        TreeMap<String, String> noHost = request();
        noHost.remove("Host");
        assertEquals(400, rejected(noHost).status());
    }

    // ---------------------------------------------------------------------------------- Origin (CSWSH defence)

    @Test
    void aForeignOriginIsForbidden() {
        TreeMap<String, String> h = request();
        h.put("Origin", "https://evil.example");
        assertEquals(403, rejected(h).status());
    }

    @ParameterizedTest(name = "Origin: {0}")
    @ValueSource(strings = {"http://localhost:8081", "http://localhost", "https://localhost:8080.evil.example",
            "http://127.0.0.1:8080", "null", "file://", "http://localhost:8080/path", "not a uri", "http://user@localhost:8080"})
    void originsThatAreNotTheSameHostAndPortAreForbidden(String origin) {
        TreeMap<String, String> h = request();
        h.put("Origin", origin);
        assertEquals(403, rejected(h).status());
    }

    @Test
    void sameOriginComparesHostCaseInsensitivelyAndFillsInDefaultPorts() {
        TreeMap<String, String> h = request();
        h.put("Host", "Example.COM");
        h.put("Origin", "http://example.com");
        accepted(WsHandshake.sameOrigin(), h);
        h.put("Host", "example.com:80");
        accepted(WsHandshake.sameOrigin(), h);
        h.put("Origin", "https://example.com");
        assertEquals(403, rejected(h).status(), "https defaults to 443, the Host says 80");
        h.put("Host", "example.com");
        accepted(WsHandshake.sameOrigin(), h);
    }

    @Test
    void ipv6HostsCompareWithTheirBrackets() {
        TreeMap<String, String> h = request();
        h.put("Host", "[::1]:8080");
        h.put("Origin", "http://[::1]:8080");
        accepted(WsHandshake.sameOrigin(), h);
        h.put("Origin", "http://[::2]:8080");
        assertEquals(403, rejected(h).status());
    }

    @Test
    void allowListedOriginsPassAndStarTurnsTheCheckOff() {
        TreeMap<String, String> h = request();
        h.put("Origin", "http://LOCALHOST:5173");
        WsHandshake dev = WsHandshake.create(List.of("http://localhost:5173"), List.of());
        accepted(dev, h);
        h.put("Origin", "http://localhost:5174");
        assertInstanceOf(WsHandshake.Reject.class, evaluate(dev, h));
        accepted(WsHandshake.create(List.of("*"), List.of()), h);
        assertThrows(IllegalArgumentException.class, () -> WsHandshake.create(List.of("localhost:5173"), List.of()));
    }

    @Test
    void aRequestWithoutOriginIsNotFromABrowserAndPasses() {
        TreeMap<String, String> h = request();
        h.remove("Origin");
        accepted(WsHandshake.sameOrigin(), h);
    }

    // ---------------------------------------------------------------------------------------------- subprotocols

    @Test
    void theFirstClientOfferedSubprotocolTheServerSpeaksIsChosen() {
        TreeMap<String, String> h = request();
        h.put("Sec-WebSocket-Protocol", "v3.streamlab, v2.streamlab, v1.streamlab");
        WsHandshake hs = WsHandshake.create(List.of(), List.of("v1.streamlab", "v2.streamlab"));
        WsHandshake.Accept a = accepted(hs, h);
        assertEquals(Optional.of("v2.streamlab"), a.subprotocol());
        assertEquals("v2.streamlab", a.headers().get("Sec-WebSocket-Protocol"));
    }

    @Test
    void noCommonSubprotocolMeansNoHeader() {
        TreeMap<String, String> h = request();
        h.put("Sec-WebSocket-Protocol", "mqtt");
        WsHandshake.Accept a = accepted(WsHandshake.create(List.of(), List.of("v1.streamlab")), h);
        assertFalse(a.headers().containsKey("Sec-WebSocket-Protocol"));
        assertEquals(Optional.empty(), a.subprotocol());
        assertFalse(accepted(WsHandshake.sameOrigin(), h).headers().containsKey("Sec-WebSocket-Protocol"));
    }

    @Test
    void extensionOffersAreIgnored() {
        TreeMap<String, String> h = request();
        h.put("Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits");
        assertFalse(accepted(WsHandshake.sameOrigin(), h).headers().containsKey("Sec-WebSocket-Extensions"));
    }

    @Test
    void isUpgradeRequestLooksOnlyAtTheUpgradeHeader() {
        Function<String, String> plain = name -> name.toLowerCase(Locale.ROOT).equals("host") ? "x" : null;
        assertFalse(WsHandshake.isUpgradeRequest(plain));
        assertTrue(WsHandshake.isUpgradeRequest(request()::get));
    }
}
