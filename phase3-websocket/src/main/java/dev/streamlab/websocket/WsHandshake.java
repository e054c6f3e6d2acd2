package dev.streamlab.websocket;

import dev.streamlab.websocket.deflate.PerMessageDeflate;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.SequencedMap;
import java.util.Set;
import java.util.function.Function;

/**
 * The server side of the WebSocket opening handshake, RFC 6455 §4.2, without the HTTP server: a request method and
 * a header lookup in, an {@link Outcome} out — {@link Accept} (answer 101 Switching Protocols with these headers,
 * then speak frames) or {@link Reject} (answer this status, keep speaking HTTP).
 *
 * <table>
 *   <caption>Checks, in order (RFC 6455 §4.2.1 lists what the request must contain)</caption>
 *   <tr><th>request</th><th>outcome</th></tr>
 *   <tr><td>method is not GET</td><td>405, {@code Allow: GET}</td></tr>
 *   <tr><td>{@code Upgrade} lacks the token {@code websocket}, or {@code Connection} lacks {@code upgrade}
 *       (ASCII case-insensitive, comma lists)</td><td>400</td></tr>
 *   <tr><td>no {@code Host}</td><td>400</td></tr>
 *   <tr><td>{@code Sec-WebSocket-Version} is not {@code 13}</td>
 *       <td>426, {@code Sec-WebSocket-Version: 13} (§4.2.2 item 4, §4.4)</td></tr>
 *   <tr><td>{@code Sec-WebSocket-Key} missing, or not the canonical base64 of 16 bytes (unused bits zero)</td>
 *       <td>400</td></tr>
 *   <tr><td>{@code Origin} present and neither the same origin as {@code Host} nor allowed</td><td>403</td></tr>
 *   <tr><td>otherwise</td><td>101 with {@code Upgrade}, {@code Connection}, {@code Sec-WebSocket-Accept} and,
 *       if one was agreed, {@code Sec-WebSocket-Protocol} and {@code Sec-WebSocket-Extensions}</td></tr>
 * </table>
 *
 * <p><b>Origin (cross-site WebSocket hijacking).</b> Browsers attach cookies to a WebSocket handshake from any
 * page, and the same-origin policy does not apply to WebSockets: a page on {@code evil.example} can open a socket
 * to our server with the user's cookies. RFC 6455 §10.2 leaves the defence to the server: "the server can use it
 * to protect against unauthorized cross-origin use". By default only the same origin passes: the {@code Origin}'s
 * host and port (its scheme's default port if none) equal the {@code Host} header's. Further origins can be
 * allowed by name; {@code "*"} turns the check off. A request without {@code Origin} passes: it does not come from
 * a browser (§4.1: "this header field is sent by browser clients"), so it carries no ambient cookies to abuse.
 *
 * <p>Extensions ({@code Sec-WebSocket-Extensions}): only permessage-deflate (RFC 7692), and only when the policy
 * was built {@link #withPermessageDeflate with it}; the offer's parameters are negotiated by
 * {@link PerMessageDeflate#negotiate}, and an offer we cannot honour is declined (the connection opens without
 * compression), never refused — RFC 7692 §7.1 gives the server no other answer. Without an agreed extension the RSV
 * bits must stay 0 on every frame. Header lookup: {@code header.apply(name)} returns the field's value, or {@code null}
 * if absent; the caller matches names case-insensitively and joins repeated fields with ", " (RFC 9110 §5.3).
 */
public final class WsHandshake {
    /** RFC 6455 §1.3: the GUID appended to the key before hashing. */
    public static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    /** The only protocol version this server speaks (RFC 6455 §4.1, IANA "WebSocket Version Number Registry"). */
    public static final String VERSION = "13";

    private final boolean anyOrigin;
    private final Set<String> allowedOrigins; // normalized scheme://host:port
    private final List<String> subprotocols;
    private final PerMessageDeflate.Config deflate; // null: extensions are never accepted

    private WsHandshake(boolean anyOrigin, Set<String> allowedOrigins, List<String> subprotocols,
                        PerMessageDeflate.Config deflate) {
        this.anyOrigin = anyOrigin;
        this.allowedOrigins = allowedOrigins;
        this.subprotocols = subprotocols;
        this.deflate = deflate;
    }

    /**
     * This policy, also accepting permessage-deflate offers (RFC 7692) on these terms.
     *
     * @param config what the server is willing to do, e.g. {@link PerMessageDeflate.Config#DEFAULT}
     */
    public WsHandshake withPermessageDeflate(PerMessageDeflate.Config config) {
        return new WsHandshake(anyOrigin, allowedOrigins, subprotocols, Objects.requireNonNull(config, "config"));
    }

    /** Same origin only, no subprotocols. */
    public static WsHandshake sameOrigin() {
        return create(List.of(), List.of());
    }

    /**
     * A handshake policy.
     *
     * @param allowedOrigins origins accepted besides the same origin, e.g. {@code "http://localhost:5173"}
     *                       (scheme, host and port; a default port may be left out); {@code "*"} accepts any
     * @param subprotocols   subprotocols this server speaks, e.g. {@code "streamlab.v1"}; compared exactly
     * @throws IllegalArgumentException if an allowed origin is not of the form {@code scheme://host[:port]}
     */
    public static WsHandshake create(Collection<String> allowedOrigins, List<String> subprotocols) {
        boolean any = false;
        Set<String> origins = new LinkedHashSet<>();
        for (String origin : allowedOrigins) {
            if (origin.equals("*")) {
                any = true;
                continue;
            }
            Origin parsed = Origin.parse(origin);
            if (parsed == null) throw new IllegalArgumentException("not an origin (scheme://host[:port]): " + origin);
            origins.add(parsed.normalized());
        }
        return new WsHandshake(any, Set.copyOf(origins), List.copyOf(subprotocols), null);
    }

    /**
     * Decides the handshake.
     *
     * @param method the request method, e.g. {@code GET}
     * @param header header lookup: a field's value, or {@code null} if absent (see the class comment)
     */
    public Outcome evaluate(String method, Function<String, String> header) {
        // RFC 6455 §4.2.1 item 1: "An HTTP/1.1 or higher GET request"
        if (!"GET".equals(method)) {
            return Reject.of(405, "a WebSocket handshake is a GET request, not " + method, "Allow", "GET");
        }
        // §4.2.1 item 3: "An |Upgrade| header field containing the value "websocket", treated as an ASCII
        // case-insensitive value."
        if (!hasToken(header.apply("Upgrade"), "websocket")) {
            return Reject.of(400, "no 'Upgrade: websocket' header");
        }
        // §4.2.1 item 4: "A |Connection| header field that includes the token "Upgrade", treated as an ASCII
        // case-insensitive value."
        if (!hasToken(header.apply("Connection"), "upgrade")) {
            return Reject.of(400, "no 'Connection: Upgrade' header");
        }
        // §4.2.1 item 2: "A |Host| header field containing the server's authority."
        String host = header.apply("Host");
        if (host == null || host.isBlank()) return Reject.of(400, "no Host header");
        // §4.2.2 item 4: a version the server does not understand → "an appropriate HTTP error code (such as 426
        // Upgrade Required) and a |Sec-WebSocket-Version| header field indicating the version(s) the server is
        // capable of understanding"
        String version = header.apply("Sec-WebSocket-Version");
        if (version == null || !version.strip().equals(VERSION)) {
            return Reject.of(426, "unsupported Sec-WebSocket-Version " + version + "; this server speaks 13",
                    "Sec-WebSocket-Version", VERSION);
        }
        // §4.2.1 item 5: "A |Sec-WebSocket-Key| header field with a base64-encoded value that, when decoded, is
        // 16 bytes in length."
        String key = header.apply("Sec-WebSocket-Key");
        if (key == null || !isValidKey(key.strip())) {
            return Reject.of(400, "Sec-WebSocket-Key is missing or not base64 of 16 bytes");
        }
        if (!hasZeroPadBits(key.strip())) {
            return Reject.of(400, "Sec-WebSocket-Key is not the canonical base64 of 16 bytes: its 22nd character must"
                    + " be A, Q, g or w, the unused bits zero (RFC 4648 §3.5)");
        }
        // §10.2 Origin considerations; see the class comment.
        String origin = header.apply("Origin");
        if (origin != null && !originAllowed(origin.strip(), host.strip())) {
            return Reject.of(403, "origin " + origin + " may not open a WebSocket here");
        }
        SequencedMap<String, String> headers = new LinkedHashMap<>();
        headers.put("Upgrade", "websocket");
        headers.put("Connection", "Upgrade");
        headers.put("Sec-WebSocket-Accept", acceptKey(key.strip()));
        // §4.2.2 item 5: "Either a single value representing the subprotocol the server is ready to use or null."
        Optional<String> subprotocol = chooseSubprotocol(header.apply("Sec-WebSocket-Protocol"));
        subprotocol.ifPresent(p -> headers.put("Sec-WebSocket-Protocol", p));
        // RFC 6455 §9.1 / RFC 7692 §7.1: answer with the one extension configuration we accepted, if any.
        Optional<PerMessageDeflate.Agreement> agreed = deflate == null ? Optional.empty()
                : PerMessageDeflate.negotiate(header.apply("Sec-WebSocket-Extensions"), deflate);
        agreed.ifPresent(a -> headers.put("Sec-WebSocket-Extensions", a.responseHeader()));
        return new Accept(Collections.unmodifiableSequencedMap(headers), subprotocol, agreed);
    }

    /**
     * {@code Sec-WebSocket-Accept} for a key, RFC 6455 §4.2.2 item 5.4: "base64-encoded SHA-1 of the concatenation
     * of the |Sec-WebSocket-Key| (as a string, not base64-decoded) with the string
     * "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"". The RFC's example: {@code dGhlIHNhbXBsZSBub25jZQ==} →
     * {@code s3pPLMBiTxaQ9kYGzzhZRbK+xOo=}.
     */
    public static String acceptKey(String key) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            byte[] digest = sha1.digest((key + GUID).getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-1", e);
        }
    }

    /**
     * Whether a request asks for a WebSocket upgrade at all ({@code Upgrade: websocket}); lets an HTTP server send
     * every other request to its normal handlers.
     */
    public static boolean isUpgradeRequest(Function<String, String> header) {
        return hasToken(header.apply("Upgrade"), "websocket");
    }

    /** Whether a comma-separated header value contains {@code token}, ASCII case-insensitively. */
    static boolean hasToken(String value, String token) {
        if (value == null) return false;
        for (String part : value.split(",")) {
            if (part.strip().equalsIgnoreCase(token)) return true;
        }
        return false;
    }

    /** 24 characters: 22 of the base64 alphabet and "==", which is exactly how 16 bytes encode. */
    static boolean isValidKey(String key) {
        if (key.length() != 24 || !key.endsWith("==")) return false;
        for (int i = 0; i < 22; i++) {
            char c = key.charAt(i);
            boolean base64 = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
            if (!base64) return false;
        }
        return true;
    }

    /**
     * Whether a key {@link #isValidKey} passed is also the <em>canonical</em> encoding of its 16 bytes (RFC 4648
     * §3.5: "the pad bits MUST be set to zero by conforming encoders", and decoders "MAY chose to reject an encoding
     * if the pad bits have not been set to zero"). 128 bits fill 21 characters of 6 bits and 2 bits of the 22nd; that
     * character's 4 low bits are padding, so its value is a multiple of 16: A (0), Q (16), g (32) or w (48). A client
     * that base64-encodes 16 random bytes (§4.1) always sends one of these; with any other the value is not "a
     * base64-encoded" nonce (§4.2.1 item 5) but a hand-made string a lenient decoder happens to accept.
     */
    static boolean hasZeroPadBits(String key) {
        return "AQgw".indexOf(key.charAt(21)) >= 0;
    }

    private boolean originAllowed(String origin, String host) {
        if (anyOrigin) return true;
        Origin o = Origin.parse(origin);
        if (o == null) return false; // "null" (sandboxed frames, file:) and anything malformed
        if (allowedOrigins.contains(o.normalized())) return true;
        return o.sameAuthorityAs(host);
    }

    private Optional<String> chooseSubprotocol(String offered) {
        if (offered == null || subprotocols.isEmpty()) return Optional.empty();
        for (String part : offered.split(",")) {
            String p = part.strip();
            if (subprotocols.contains(p)) return Optional.of(p);
        }
        return Optional.empty();
    }

    /** What to answer the handshake request with. */
    public sealed interface Outcome permits Accept, Reject {
    }

    /**
     * Answer {@code 101 Switching Protocols} with {@code headers}, then switch the connection to frames.
     *
     * @param headers     the response header fields, in order
     * @param subprotocol the agreed subprotocol, if any
     * @param deflate     the agreed permessage-deflate parameters, if the extension was negotiated
     */
    public record Accept(SequencedMap<String, String> headers, Optional<String> subprotocol,
                         Optional<PerMessageDeflate.Agreement> deflate) implements Outcome {
        public Accept {
            Objects.requireNonNull(headers, "headers");
            Objects.requireNonNull(subprotocol, "subprotocol");
            Objects.requireNonNull(deflate, "deflate");
        }

        /** Without extensions. */
        public Accept(SequencedMap<String, String> headers, Optional<String> subprotocol) {
            this(headers, subprotocol, Optional.empty());
        }
    }

    /**
     * Answer {@code status} with {@code headers} and keep the connection as HTTP.
     *
     * @param status  400, 403, 405 or 426
     * @param reason  why, for a log line or a short plain-text body
     * @param headers extra response header fields (e.g. {@code Sec-WebSocket-Version: 13} with 426)
     */
    public record Reject(int status, String reason, SequencedMap<String, String> headers) implements Outcome {
        public Reject {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(headers, "headers");
        }

        static Reject of(int status, String reason) {
            return new Reject(status, reason, Collections.unmodifiableSequencedMap(new LinkedHashMap<>()));
        }

        static Reject of(int status, String reason, String name, String value) {
            SequencedMap<String, String> headers = new LinkedHashMap<>();
            headers.put(name, value);
            return new Reject(status, reason, Collections.unmodifiableSequencedMap(headers));
        }
    }

    /** An origin as RFC 6454 serializes it: scheme, host, port (the scheme's default if not written). */
    private record Origin(String scheme, String host, int port) {
        static Origin parse(String text) {
            try {
                URI uri = new URI(text);
                String scheme = uri.getScheme();
                String host = uri.getHost();
                if (scheme == null || host == null || uri.getRawUserInfo() != null) return null;
                String path = uri.getRawPath();
                if ((path != null && !path.isEmpty() && !path.equals("/")) || uri.getRawQuery() != null) return null;
                scheme = scheme.toLowerCase(Locale.ROOT);
                int port = uri.getPort() != -1 ? uri.getPort() : defaultPort(scheme);
                if (port == -1) return null;
                return new Origin(scheme, host.toLowerCase(Locale.ROOT), port);
            } catch (URISyntaxException e) {
                return null; // not an origin; the caller answers 403
            }
        }

        static int defaultPort(String scheme) {
            return switch (scheme) {
                case "http", "ws" -> 80;
                case "https", "wss" -> 443;
                default -> -1;
            };
        }

        String normalized() {
            return scheme + "://" + host + ":" + port;
        }

        /** Whether {@code hostHeader} ({@code host[:port]}, IPv6 in brackets) names this origin's host and port. */
        boolean sameAuthorityAs(String hostHeader) {
            String h = hostHeader.toLowerCase(Locale.ROOT);
            String name;
            String portText;
            if (h.startsWith("[")) {
                int close = h.indexOf(']');
                if (close < 0) return false;
                name = h.substring(0, close + 1);
                String rest = h.substring(close + 1);
                if (!rest.isEmpty() && !rest.startsWith(":")) return false;
                portText = rest.isEmpty() ? "" : rest.substring(1);
            } else {
                int colon = h.indexOf(':');
                name = colon < 0 ? h : h.substring(0, colon);
                portText = colon < 0 ? "" : h.substring(colon + 1);
            }
            int hostPort;
            if (portText.isEmpty()) {
                hostPort = defaultPort(scheme);
            } else {
                if (portText.length() > 5 || !portText.chars().allMatch(c -> c >= '0' && c <= '9')) return false;
                hostPort = Integer.parseInt(portText);
            }
            return name.equals(host) && hostPort == port;
        }
    }
}
