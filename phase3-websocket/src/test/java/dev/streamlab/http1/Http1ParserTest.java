package dev.streamlab.http1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.http1.ParserFeed.Outcome;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The request parser as a table: each input, and what must come out of it — the same whether the bytes arrive
 * whole, one at a time, or cut in two at every position.
 */
class Http1ParserTest {
    static final Http1Parser.Limits LIMITS = Http1Parser.Limits.DEFAULT;

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Parses {@code input} whole, byte by byte and cut in two at every position (or many, for big inputs). */
    static Outcome parseEveryWay(String input) {
        byte[] b = bytes(input);
        Outcome whole = ParserFeed.whole(LIMITS, b);
        assertEquals(whole, ParserFeed.byteByByte(LIMITS, b), "byte by byte");
        int step = b.length <= 2048 ? 1 : 61;
        for (int cut = 0; cut <= b.length; cut += step) {
            assertEquals(whole, ParserFeed.feed(LIMITS, b, cut), "cut at " + cut);
        }
        for (int cut = Math.max(0, b.length - 64); cut <= b.length; cut++) {
            assertEquals(whole, ParserFeed.feed(LIMITS, b, cut), "cut at " + cut);
        }
        return whole;
    }

    /** Input → method, path, query, version, header fields as name=value lines, body. */
    static Stream<Arguments> accepted() {
        return Stream.of(
                Arguments.of("GET /videos/a HTTP/1.1\r\nHost: x\r\n\r\n", "GET", "/videos/a", null, "HTTP/1.1",
                        "Host=x", ""),
                Arguments.of("GET / HTTP/1.1\nHost: x\n\n", "GET", "/", null, "HTTP/1.1", "Host=x", ""), // bare LF
                Arguments.of("\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n", "GET", "/", null, "HTTP/1.1", "Host=x", ""),
                Arguments.of("HEAD /a HTTP/1.1\r\nHost:   x  \t\r\nX-Empty:\r\n\r\n", "HEAD", "/a", null, "HTTP/1.1",
                        "Host=x|X-Empty=", ""),
                Arguments.of("GET /a?b=c&d=%41 HTTP/1.1\r\nHost: x\r\n\r\n", "GET", "/a", "b=c&d=%41", "HTTP/1.1",
                        "Host=x", ""),
                Arguments.of("GET /videos/%2e%2e%2fpom.xml HTTP/1.1\r\nHost: x\r\n\r\n", "GET", "/videos/../pom.xml",
                        null, "HTTP/1.1", "Host=x", ""),
                Arguments.of("GET /videos/a%00.mp4 HTTP/1.1\r\nHost: x\r\n\r\n", "GET", "/videos/a\0.mp4", null,
                        "HTTP/1.1", "Host=x", ""),
                Arguments.of("GET /caf%C3%A9 HTTP/1.1\r\nHost: x\r\n\r\n", "GET", "/café", null, "HTTP/1.1", "Host=x",
                        ""),
                Arguments.of("GET http://example.com:8080/v/a?x HTTP/1.1\r\nHost: e\r\n\r\n", "GET", "/v/a", "x",
                        "HTTP/1.1", "Host=e", ""), // absolute-form, RFC 9112 §3.2.2
                Arguments.of("GET HTTPS://example.com HTTP/1.1\r\nHost: e\r\n\r\n", "GET", "/", null, "HTTP/1.1",
                        "Host=e", ""),
                Arguments.of("OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n", "OPTIONS", "*", null, "HTTP/1.1", "Host=x", ""),
                Arguments.of("GET / HTTP/1.0\r\n\r\n", "GET", "/", null, "HTTP/1.0", "", ""), // no Host needed
                Arguments.of("POST /api/qoe HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello", "POST",
                        "/api/qoe", null, "HTTP/1.1", "Host=x|Content-Length=5", "hello"),
                Arguments.of("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 3, 3\r\n\r\nabc", "POST", "/a", null,
                        "HTTP/1.1", "Host=x|Content-Length=3, 3", "abc"), // RFC 9110 §8.6: identical list
                Arguments.of("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", "POST", "/a", null,
                        "HTTP/1.1", "Host=x|Content-Length=0", ""),
                Arguments.of("GET / HTTP/1.1\r\nHost: x\r\nX-Bin: \u00e9\u00ff\r\nx-bin: 2\r\n\r\n", "GET", "/",
                        null, "HTTP/1.1", "Host=x|X-Bin=\u00e9\u00ff|x-bin=2", ""), // obs-text, repeated names
                Arguments.of("get /lower HTTP/1.1\r\nHost: x\r\n\r\n", "get", "/lower", null, "HTTP/1.1", "Host=x",
                        ""), // methods are case-sensitive tokens; routing answers 405
                Arguments.of("GET / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n\r\n", "GET", "/", null,
                        "HTTP/1.1", "Host=x|Expect=100-continue", ""),
                // Host values RFC 9112 §3.2 and RFC 3986 §3.2.2 allow: IP literal and port, IPv4, pct-encoded, empty.
                Arguments.of("GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n", "GET", "/", null, "HTTP/1.1",
                        "Host=[::1]:8080", ""),
                Arguments.of("GET / HTTP/1.1\r\nHost: 127.0.0.1:80\r\n\r\n", "GET", "/", null, "HTTP/1.1",
                        "Host=127.0.0.1:80", ""),
                Arguments.of("GET / HTTP/1.1\r\nHost: ex%41mple_1.test~\r\n\r\n", "GET", "/", null, "HTTP/1.1",
                        "Host=ex%41mple_1.test~", ""),
                Arguments.of("GET / HTTP/1.1\r\nHost:\r\n\r\n", "GET", "/", null, "HTTP/1.1", "Host=", ""),
                Arguments.of("M".repeat(Http1Parser.MAX_METHOD_BYTES) + " / HTTP/1.1\r\nHost: x\r\n\r\n",
                        "M".repeat(Http1Parser.MAX_METHOD_BYTES), "/", null, "HTTP/1.1", "Host=x", ""));
    }

    @ParameterizedTest(name = "[{index}] {1} {2}")
    @MethodSource("accepted")
    void wellFormedRequestsParseTheSameHoweverTheyAreSplit(String input, String method, String path, String query,
            String version, String fields, String body) {
        Outcome o = parseEveryWay(input);
        Http1Request r = o.only();
        assertTrue(o.idle(), "nothing left pending");
        assertEquals(method, r.method());
        assertEquals(path, r.path());
        assertEquals(query, r.query());
        assertEquals(version, r.version());
        assertEquals(fields, String.join("|", r.fields().stream().map(f -> f.name() + "=" + f.value()).toList()));
        assertEquals(body, r.bodyText());
    }

    /** Input → the status of the refusal. */
    static Stream<Arguments> refused() {
        return Stream.of(
                Arguments.of("GET /\r\n\r\n", 400),                                   // no version
                Arguments.of("GET  / HTTP/1.1\r\nHost: x\r\n\r\n", 400),            // two spaces
                Arguments.of("GET / HTTP/1.1 \r\nHost: x\r\n\r\n", 400),            // trailing space
                Arguments.of("GET / http/1.1\r\nHost: x\r\n\r\n", 400),             // version is case-sensitive
                Arguments.of("GET / HTTP/1\r\nHost: x\r\n\r\n", 400),
                Arguments.of("GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505),
                Arguments.of("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505),               // the HTTP/2 preface
                Arguments.of("GET / HTTP/0.9\r\n\r\n", 505),
                Arguments.of("G(T / HTTP/1.1\r\nHost: x\r\n\r\n", 400),             // method not a token
                // No line end at all, refused at the first impossible byte rather than after the request timeout:
                Arguments.of("\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\u00fc\u0003\u0003", 400), // TLS hello
                Arguments.of("GET /a\u0000", 400),                                     // NUL in the target
                Arguments.of("GET /a\u0001b HTTP/1.1\r\nHost: x\r\n\r\n", 400),       // control in the target
                Arguments.of("GET /caf\u00e9 HTTP/1.1\r\nHost: x\r\n\r\n", 400),      // non-ASCII in the target
                Arguments.of("GET /a#frag HTTP/1.1\r\nHost: x\r\n\r\n", 400),
                Arguments.of("GET videos/a HTTP/1.1\r\nHost: x\r\n\r\n", 400),        // not origin-form
                Arguments.of("CONNECT example.com:443 HTTP/1.1\r\nHost: x\r\n\r\n", 400),
                Arguments.of("GET * HTTP/1.1\r\nHost: x\r\n\r\n", 400),               // * is for OPTIONS
                Arguments.of("GET http:///a HTTP/1.1\r\nHost: x\r\n\r\n", 400),       // absolute-form, no host
                Arguments.of("GET /a%zz HTTP/1.1\r\nHost: x\r\n\r\n", 400),
                Arguments.of("GET /a%2 HTTP/1.1\r\nHost: x\r\n\r\n", 400),
                Arguments.of("GET / HTTP/1.1\r\n\r\n", 400),                           // HTTP/1.1 without Host
                Arguments.of("GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n", 400),
                Arguments.of("GET / HTTP/1.1\rHost: x\r\n\r\n", 400),                  // bare CR
                Arguments.of("GET / HTTP/1.1\r\nHost: x\r\r\n\r\n", 400),
                Arguments.of("GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", 400),    // obs-fold
                Arguments.of("GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400),              // space before the colon
                Arguments.of("GET / HTTP/1.1\r\nHost x\r\n\r\n", 400),                // no colon
                Arguments.of("GET / HTTP/1.1\r\n: x\r\nHost: x\r\n\r\n", 400),        // empty name
                Arguments.of("GET / HTTP/1.1\r\nHost: x\r\nX: a\u0000b\r\n\r\n", 400), // NUL in a value
                Arguments.of("GET / HTTP/1.1\r\nHost: x\r\nX: a\u007fb\r\n\r\n", 400), // DEL in a value
                Arguments.of("GET / HTTP/1.1\r\nHost: x\r\nX\u00e9: a\r\n\r\n", 400),  // non-token name
                Arguments.of("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
                        411),
                Arguments.of("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n",
                        411),                                                          // TE wins over CL (§6.3)
                Arguments.of("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501),
                Arguments.of("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 400),
                Arguments.of("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, x\r\n\r\n", 400),
                Arguments.of("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding:\r\n\r\n", 400),
                Arguments.of("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400), // TE in HTTP/1.0
                Arguments.of("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", 400),
                Arguments.of("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", 400),
                Arguments.of("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +5\r\n\r\n", 400),
                Arguments.of("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 6\r\n\r\n", 400),
                Arguments.of("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", 400),
                Arguments.of("POST / HTTP/1.1\r\nHost: x\r\nContent-Length:\r\n\r\n", 400),
                // An empty member beside a value: another parser may frame it as 0 (smuggling), so 400 here.
                Arguments.of("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length:\r\n\r\nok", 400),
                Arguments.of("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2,\r\n\r\nok", 400),
                Arguments.of("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ,2\r\n\r\nok", 400),
                // chunked twice is a faulty framing (RFC 9112 §6.1), not a coding this server lacks (501).
                Arguments.of("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                        + "Transfer-Encoding: chunked\r\n\r\n", 400),
                Arguments.of("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", 400),
                // RFC 9112 §3.2: a Host with an invalid value is a 400.
                Arguments.of("GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400),
                Arguments.of("GET / HTTP/1.1\r\nHost: a/b@c\r\n\r\n", 400),
                Arguments.of("GET / HTTP/1.1\r\nHost: [::1\r\n\r\n", 400),
                Arguments.of("GET / HTTP/1.1\r\nHost: []\r\n\r\n", 400),
                Arguments.of("GET / HTTP/1.1\r\nHost: x:8o\r\n\r\n", 400),
                Arguments.of("GET / HTTP/1.1\r\nHost: x%4\r\n\r\n", 400),
                Arguments.of("GET / HTTP/1.0\r\nHost: a\"b\r\n\r\n", 400),
                // RFC 9112 §3: a method longer than any served is a 501, at once, not a 414 at the line's limit.
                Arguments.of("M".repeat(Http1Parser.MAX_METHOD_BYTES + 1), 501),
                Arguments.of("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 65537\r\n\r\n", 413),
                Arguments.of("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999999\r\n\r\n", 413),
                Arguments.of("GET / HTTP/1.1\r\nHost: x\r\nExpect: something-else\r\n\r\n", 417),
                Arguments.of("\r\n".repeat(Http1Parser.MAX_EMPTY_LINES + 1) + "GET / HTTP/1.1\r\nHost: x\r\n\r\n",
                        400));
    }

    @ParameterizedTest(name = "[{index}] {1}")
    @MethodSource("refused")
    void malformedRequestsAreRefusedWithTheirStatusHoweverTheyAreSplit(String input, int status) {
        Outcome o = parseEveryWay(input);
        assertEquals(List.of(), o.requests());
        assertEquals(status, o.status(), input);
    }

    /** A request line of exactly {@code length} bytes. */
    static String requestLine(int length) {
        String head = "GET /";
        String tail = " HTTP/1.1";
        return head + "a".repeat(length - head.length() - tail.length()) + tail;
    }

    @Test
    void aRequestLineOf8KiBPassesAndOneByteMoreIs414() {
        assertEquals(8192, requestLine(8192).length());
        assertEquals(1, parseEveryWay(requestLine(8192) + "\r\nHost: x\r\n\r\n").requests().size());
        assertEquals(414, parseEveryWay(requestLine(8193) + "\r\nHost: x\r\n\r\n").status());
        // Refused as soon as the limit is passed, before the line ends: a client cannot make us buffer more.
        assertEquals(414, ParserFeed.whole(LIMITS, bytes(requestLine(100_000))).status());
    }

    @Test
    void a100thHeaderFieldPassesAndThe101stIs431() {
        String hundred = "GET / HTTP/1.1\r\nHost: x\r\n" + "X-F: 1\r\n".repeat(99);
        assertEquals(100, parseEveryWay(hundred + "\r\n").only().fields().size());
        assertEquals(431, parseEveryWay(hundred + "X-F: 1\r\n\r\n").status());
    }

    @Test
    void aHeaderSectionOf16KiBPassesAndOneByteMoreIs431() {
        // Counted: each field line plus 2 for its CRLF. "Host: x" is 9, "X: " + k bytes is 5 + k.
        int k = 16 * 1024 - 9 - 5;
        assertEquals(1, parseEveryWay("GET / HTTP/1.1\r\nHost: x\r\nX: " + "v".repeat(k) + "\r\n\r\n")
                .requests().size());
        assertEquals(431, parseEveryWay("GET / HTTP/1.1\r\nHost: x\r\nX: " + "v".repeat(k + 1) + "\r\n\r\n").status());
        // Also refused mid-line, with bare LFs, and when the bytes come from many short fields.
        assertEquals(431, ParserFeed.whole(LIMITS, bytes("GET / HTTP/1.1\nHost: x\nX: " + "v".repeat(1 << 20)))
                .status());
        assertEquals(431, parseEveryWay("GET / HTTP/1.1\r\nHost: x\r\n" + ("X-" + "n".repeat(200) + ": v\r\n")
                .repeat(90) + "\r\n").status());
    }

    @Test
    void aBodyOfExactlyTheLimitPassesAndOneByteMoreIs413BeforeItIsRead() {
        String body = "b".repeat(LIMITS.maxBodyBytes());
        Http1Request r = parseEveryWay("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: " + body.length() + "\r\n\r\n"
                + body).only();
        assertEquals(body.length(), r.bodyLength());
        // 413 with no body byte sent: decided from the header alone.
        assertEquals(413, parseEveryWay("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: "
                + (body.length() + 1) + "\r\n\r\n").status());
    }

    @Test
    void pipelinedRequestsComeOutInOrderAndAPartialOneStaysPending() {
        Outcome o = parseEveryWay("GET /1 HTTP/1.1\r\nHost: x\r\n\r\nPOST /2 HTTP/1.1\r\nHost: x\r\n"
                + "Content-Length: 2\r\n\r\nokGET /3 HTTP/1.1\r\nHost: x\r\n\r\nGET /4 HT");
        assertEquals(List.of("/1", "/2", "/3"), o.requests().stream().map(Http1Request::path).toList());
        assertEquals("ok", o.requests().get(1).bodyText());
        assertEquals(0, o.status());
        assertFalse(o.idle(), "the fourth request is half read");
    }

    @Test
    void theBufferIsLeftJustAfterACompleteRequest() throws Exception {
        ByteBuffer in = ByteBuffer.wrap(bytes("GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2"));
        Http1Parser p = new Http1Parser();
        assertTrue(p.idle());
        assertEquals("/1", p.parse(in).path());
        assertEquals("GET /2", StandardCharsets.ISO_8859_1.decode(in.duplicate()).toString());
        assertTrue(p.idle());
        assertNull(p.parse(in));
        assertFalse(p.idle());
        assertFalse(in.hasRemaining());
    }

    @Test
    void aFailedParserRefusesToGoOn() {
        Http1Parser p = new Http1Parser();
        Http1Exception e = assertThrows(Http1Exception.class,
                () -> p.parse(ByteBuffer.wrap(bytes("GET / HTTP/9.9\r\n"))));
        assertEquals(505, e.status());
        assertTrue(e.getMessage().contains("the connection closes"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> p.parse(ByteBuffer.wrap(bytes("GET / HTTP/1.1\r\n"))));
    }

    @Test
    void expectContinueIsOfferedOnceBeforeTheBodyAndOnlyForHttp11WithABody() throws Exception {
        Http1Parser p = new Http1Parser();
        assertNull(p.parse(ByteBuffer.wrap(bytes(
                "POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-Continue\r\nContent-Length: 2\r\n\r\n"))));
        assertTrue(p.takeContinue());
        assertFalse(p.takeContinue(), "once");
        assertEquals("ok", p.parse(ByteBuffer.wrap(bytes("ok"))).bodyText());

        Http1Parser old = new Http1Parser();
        assertNull(old.parse(ByteBuffer.wrap(bytes(
                "POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n"))));
        assertFalse(old.takeContinue(), "RFC 9110 §10.1.1: ignored in HTTP/1.0");
    }

    @Test
    void keepAliveFollowsTheVersionAndTheConnectionField() {
        assertTrue(parseEveryWay("GET / HTTP/1.1\r\nHost: x\r\n\r\n").only().keepAlive());
        assertFalse(parseEveryWay("GET / HTTP/1.1\r\nHost: x\r\nConnection: Close\r\n\r\n").only().keepAlive());
        assertFalse(parseEveryWay("GET / HTTP/1.1\r\nHost: x\r\nConnection: upgrade, close\r\n\r\n").only()
                .keepAlive());
        assertFalse(parseEveryWay("GET / HTTP/1.0\r\n\r\n").only().keepAlive());
        assertTrue(parseEveryWay("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").only().keepAlive());
    }

    @Test
    void headerLookupIsCaseInsensitiveAndJoinsRepeatedLines() {
        Http1Request r = parseEveryWay("GET / HTTP/1.1\r\nHost: x\r\nIf-None-Match: \"a\"\r\nif-none-match: \"b\"\r\n\r\n")
                .only();
        assertEquals("\"a\", \"b\"", r.header("IF-NONE-MATCH"));
        assertEquals(List.of("\"a\"", "\"b\""), r.headers("If-None-Match"));
        assertNull(r.header("Range"));
    }
}
