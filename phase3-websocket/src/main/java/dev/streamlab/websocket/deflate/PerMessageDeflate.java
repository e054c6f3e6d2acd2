package dev.streamlab.websocket.deflate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * The permessage-deflate extension's negotiation, RFC 7692 §7.1, server side: a {@code Sec-WebSocket-Extensions}
 * request header in, the {@link Agreement} (and its response header) out — or nothing, which declines.
 *
 * <table>
 *   <caption>Offer parameters and what this server answers (RFC 7692 §7.1.1, §7.1.2)</caption>
 *   <tr><th>offer</th><th>answer</th></tr>
 *   <tr><td>{@code server_no_context_takeover}</td><td>accepted: echoed, and our Deflater is reset after every
 *       message. Also sent unasked when {@link Config#serverNoContextTakeover()} (§7.1.1.1 allows it).</td></tr>
 *   <tr><td>{@code client_no_context_takeover}</td><td>accepted: echoed; our Inflater is reset after every message.
 *       Also sent unasked when {@link Config#clientNoContextTakeover()} (§7.1.1.2: "MAY include ... regardless").</td></tr>
 *   <tr><td>{@code server_max_window_bits=15}</td><td>accepted (echoed).</td></tr>
 *   <tr><td>{@code server_max_window_bits=8..14}</td><td><b>this offer is declined</b> (the next one is tried):
 *       {@code java.util.zip.Deflater} always compresses with a 32 KiB (15-bit) window and cannot be told to use
 *       less, and §7.1.2.1 says the server accepts only "with the same or smaller value". Chromium and Firefox
 *       offer no limit, so in practice nothing is lost.</td></tr>
 *   <tr><td>{@code client_max_window_bits} (no value or 8..15)</td><td>the client may be limited: we answer
 *       {@code client_max_window_bits=N} only if {@link Config#clientMaxWindowBits()} is below 15 (N = the smaller
 *       of ours and the offered value). Our Inflater reads any window up to 15 bits, so the default asks nothing.
 *       Without the parameter in the offer we must not send it (§7.1.2.2).</td></tr>
 *   <tr><td>an unknown parameter, a value where none is allowed, a value outside 8..15 or not a number, a
 *       parameter twice</td><td>this offer is declined (§7.1: "A server MUST decline an extension negotiation
 *       offer for this extension if ...")</td></tr>
 * </table>
 *
 * <p>Declining is the only refusal RFC 7692 gives a server: a bad offer never fails the handshake, the connection
 * simply opens without the extension (and RSV1 then stays a protocol error, RFC 6455 §5.2). Several offers may be
 * listed (comma-separated, most preferred first, §5); the first acceptable one wins. Other extensions in the header
 * are ignored.
 */
public final class PerMessageDeflate {
    /** The extension's registered name (RFC 7692 §7). */
    public static final String NAME = "permessage-deflate";
    /** Java's Deflater and Inflater work with the full 32 KiB window: 2^15. */
    public static final int MAX_WINDOW_BITS = 15;
    /** The smallest window RFC 7692 §7.1.2 allows: 2^8. */
    public static final int MIN_WINDOW_BITS = 8;

    private PerMessageDeflate() {
    }

    /**
     * What this server is willing to do.
     *
     * @param serverNoContextTakeover reset our compressor after every message even if the client did not ask:
     *                                each message then inflates on its own (simpler peers, no shared history),
     *                                at the price of ratio on repetitive JSON; Java's Deflater keeps its window
     *                                allocated either way, so it saves no memory here
     * @param clientNoContextTakeover ask the client to reset its compressor after every message
     * @param clientMaxWindowBits     8..15; below 15 asks a client that offered {@code client_max_window_bits} to
     *                                use a smaller window
     * @param level                   the Deflater level for our messages, 1 (fast) to 9 (small)
     */
    public record Config(boolean serverNoContextTakeover, boolean clientNoContextTakeover, int clientMaxWindowBits,
                         int level) {
        /** Context takeover both ways, no window limits, level 6 (zlib's default). */
        public static final Config DEFAULT = new Config(false, false, MAX_WINDOW_BITS, 6);

        public Config {
            if (clientMaxWindowBits < MIN_WINDOW_BITS || clientMaxWindowBits > MAX_WINDOW_BITS) {
                throw new IllegalArgumentException("clientMaxWindowBits " + clientMaxWindowBits + " not in 8..15");
            }
            if (level < 1 || level > 9) throw new IllegalArgumentException("level " + level + " not in 1..9");
        }
    }

    /**
     * The parameters both ends agreed on ("agreed parameters", RFC 7692 §7.1).
     *
     * @param serverNoContextTakeover the server's compressor is reset after every message
     * @param clientNoContextTakeover the client's compressor is reset after every message
     * @param serverMaxWindowBits     the server's window, always 15 here (see the class comment)
     * @param clientMaxWindowBits     the largest window the client may use, 8..15
     * @param level                   the level our Deflater uses (not negotiated; a local choice)
     * @param respondWithServerWindow whether the response carries {@code server_max_window_bits} (it was offered)
     * @param respondWithClientWindow whether the response carries {@code client_max_window_bits}
     */
    public record Agreement(boolean serverNoContextTakeover, boolean clientNoContextTakeover, int serverMaxWindowBits,
                            int clientMaxWindowBits, int level, boolean respondWithServerWindow,
                            boolean respondWithClientWindow) {

        /** The {@code Sec-WebSocket-Extensions} value of the 101 response, e.g. {@code permessage-deflate; server_no_context_takeover}. */
        public String responseHeader() {
            StringJoiner j = new StringJoiner("; ");
            j.add(NAME);
            if (serverNoContextTakeover) j.add("server_no_context_takeover");
            if (clientNoContextTakeover) j.add("client_no_context_takeover");
            if (respondWithServerWindow) j.add("server_max_window_bits=" + serverMaxWindowBits);
            if (respondWithClientWindow) j.add("client_max_window_bits=" + clientMaxWindowBits);
            return j.toString();
        }

        /** The agreement as a client sees it, for tests and tools that play the client: the same parameters. */
        public static Agreement defaults() {
            return new Agreement(false, false, MAX_WINDOW_BITS, MAX_WINDOW_BITS, 6, false, false);
        }
    }

    /**
     * Picks the first acceptable permessage-deflate offer.
     *
     * @param header the request's {@code Sec-WebSocket-Extensions} (repeated fields joined with ", "), or null
     * @param config what we are willing to do
     * @return the agreement, or empty to decline (no offer, or none acceptable)
     */
    public static Optional<Agreement> negotiate(String header, Config config) {
        if (header == null) return Optional.empty();
        List<Offer> offers = parse(header);
        if (offers == null) return Optional.empty(); // unparseable header: decline rather than guess
        for (Offer offer : offers) {
            if (!offer.name().equalsIgnoreCase(NAME)) continue;
            Optional<Agreement> a = accept(offer.params(), config);
            if (a.isPresent()) return a;
        }
        return Optional.empty();
    }

    private static Optional<Agreement> accept(Map<String, String> params, Config config) {
        if (params == null) return Optional.empty(); // a parameter twice (§7.1)
        boolean serverNct = config.serverNoContextTakeover();
        boolean clientNct = config.clientNoContextTakeover();
        boolean serverWindow = false;
        boolean clientWindow = false;
        int clientBits = MAX_WINDOW_BITS;
        for (Map.Entry<String, String> p : params.entrySet()) {
            String value = p.getValue();
            switch (p.getKey()) {
                case "server_no_context_takeover" -> {
                    if (value != null) return Optional.empty(); // §7.1.1.1: "MUST NOT have a value"
                    serverNct = true;
                }
                case "client_no_context_takeover" -> {
                    if (value != null) return Optional.empty(); // §7.1.1.2
                    clientNct = true;
                }
                case "server_max_window_bits" -> {
                    int bits = windowBits(value);
                    if (bits < 0) return Optional.empty(); // §7.1.2.1: a value is required in an offer
                    if (bits < MAX_WINDOW_BITS) return Optional.empty(); // Deflater cannot use a smaller window
                    serverWindow = true;
                }
                case "client_max_window_bits" -> {
                    int offered = value == null ? MAX_WINDOW_BITS : windowBits(value); // §7.1.2.2: value optional
                    if (offered < 0) return Optional.empty();
                    clientBits = Math.min(offered, config.clientMaxWindowBits());
                    // Only a stricter limit of ours is worth sending; a client that offered a value keeps to it.
                    clientWindow = config.clientMaxWindowBits() < MAX_WINDOW_BITS;
                }
                default -> {
                    return Optional.empty(); // §7.1: "an extension parameter not defined for use in an offer"
                }
            }
        }
        return Optional.of(new Agreement(serverNct, clientNct, MAX_WINDOW_BITS, clientBits, config.level(),
                serverWindow, clientWindow));
    }

    /**
     * 8..15, or -1 for anything else (absent, not digits, a leading zero, out of range). RFC 7692 §7.1.2.1: "a
     * decimal integer value without leading zeros between 8 to 15".
     */
    private static int windowBits(String value) {
        if (value == null || value.isEmpty() || value.length() > 2 || value.charAt(0) == '0') return -1;
        for (int i = 0; i < value.length(); i++) if (value.charAt(i) < '0' || value.charAt(i) > '9') return -1;
        int bits = Integer.parseInt(value);
        return bits >= MIN_WINDOW_BITS && bits <= MAX_WINDOW_BITS ? bits : -1;
    }

    /** One extension offer: its name and parameters (value null for a bare parameter); params null on a repeat. */
    record Offer(String name, Map<String, String> params) {
    }

    /**
     * RFC 6455 §9.1's grammar: {@code extension-list = 1#extension; extension = token *( ";" param ); param = token
     * [ "=" (token | quoted-string) ]}. Returns null if the header does not follow it.
     */
    static List<Offer> parse(String header) {
        List<Offer> offers = new ArrayList<>();
        int i = 0;
        int n = header.length();
        while (i < n) {
            i = skipSpace(header, i);
            if (i < n && header.charAt(i) == ',') { // empty list elements are allowed (RFC 9110 §5.6.1)
                i++;
                continue;
            }
            if (i >= n) break;
            int start = i;
            i = token(header, i);
            if (i == start) return null;
            String name = header.substring(start, i);
            Map<String, String> params = new LinkedHashMap<>();
            boolean repeated = false;
            i = skipSpace(header, i);
            while (i < n && header.charAt(i) == ';') {
                i = skipSpace(header, i + 1);
                int ps = i;
                i = token(header, i);
                if (i == ps) return null;
                String key = header.substring(ps, i).toLowerCase(Locale.ROOT);
                String value = null;
                i = skipSpace(header, i);
                if (i < n && header.charAt(i) == '=') {
                    i = skipSpace(header, i + 1);
                    if (i < n && header.charAt(i) == '"') {
                        StringBuilder v = new StringBuilder();
                        i++;
                        while (i < n && header.charAt(i) != '"') {
                            if (header.charAt(i) == '\\' && i + 1 < n) i++;
                            v.append(header.charAt(i++));
                        }
                        if (i >= n) return null; // unterminated quoted-string
                        i++;
                        value = v.toString();
                    } else {
                        int vs = i;
                        i = token(header, i);
                        if (i == vs) return null;
                        value = header.substring(vs, i);
                    }
                    i = skipSpace(header, i);
                }
                if (params.containsKey(key)) repeated = true;
                params.put(key, value);
            }
            if (i < n && header.charAt(i) != ',') return null;
            offers.add(new Offer(name, repeated ? null : params));
        }
        return offers;
    }

    private static int skipSpace(String s, int i) {
        while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) i++;
        return i;
    }

    /** RFC 9110 §5.6.2 tchar. */
    private static int token(String s, int i) {
        while (i < s.length()) {
            char c = s.charAt(i);
            boolean t = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!t) break;
            i++;
        }
        return i;
    }
}
