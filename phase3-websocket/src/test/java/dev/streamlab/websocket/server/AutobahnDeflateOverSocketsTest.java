package dev.streamlab.websocket.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.phase3.Phase3Server;
import dev.streamlab.testing.Await;
import dev.streamlab.websocket.WsCloseCodes;
import dev.streamlab.websocket.WsEvent;
import dev.streamlab.websocket.WsLimits;
import dev.streamlab.websocket.WsMessageAssembler;
import dev.streamlab.websocket.deflate.DeflateEvents;
import dev.streamlab.websocket.deflate.MessageDeflater;
import dev.streamlab.websocket.deflate.PerMessageDeflate;
import dev.streamlab.websocket.frame.FrameHeader;
import dev.streamlab.websocket.frame.FrameWriter;
import dev.streamlab.websocket.frame.WsCloseException;
import dev.streamlab.websocket.frame.WsOpcode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * permessage-deflate (RFC 7692) over real sockets against {@code /ws/echo}, in the manner of Autobahn|Testsuite
 * sections 12 ("WebSocket Compression (different payloads)") and 13 ("WebSocket Compression (different
 * parameters)"). The JDK's {@code java.net.http.WebSocket} negotiates no extensions, so the client here is raw:
 * it offers the extension, reads the agreement from the 101, compresses with {@link MessageDeflater}, masks with
 * {@link FrameWriter#encode}, and inflates the echoes with a client {@link WsMessageAssembler}.
 *
 * <p>Deviations from Autobahn: its payloads are corpus files (a JSON file, a bitmap, Goethe's Faust, an HTML page, a
 * PDF); these are generated with a fixed seed — JSON-like ASCII text (12.1) and run-length-y binary (12.2) — at
 * the same ten sizes (16 B to 128 KiB, cases x.y.1–x.y.10), four messages per case instead of a thousand. Section
 * 13's offers are kept; where a case asks for {@code server_max_window_bits} below 15 (13.3, 13.5) our server
 * declines the offer (java.util.zip cannot compress with a smaller window; {@link PerMessageDeflate}) and the
 * messages go uncompressed — Autobahn reports such a case as "UNIMPLEMENTED", this table as declined. The
 * protocol violations at the end (RSV1 on continuation and control frames, zip bomb, corrupt data) have no
 * Autobahn case id and are named for what they send.
 */
class AutobahnDeflateOverSocketsTest {
    static final int[] SIZES = {16, 64, 256, 1024, 4096, 8192, 16384, 32768, 65536, 131072};
    static final AtomicInteger nativeStreams = new AtomicInteger();
    static final AtomicLong serverCompressed = new AtomicLong();
    static Phase3Server server;

    @BeforeAll
    static void start() throws IOException {
        server = WsTestServer.startWithDeflate(Duration.ofSeconds(30), PerMessageDeflate.Config.DEFAULT, new DeflateEvents() {
            @Override
            public void compressed(long raw, long wire) {
                serverCompressed.incrementAndGet();
            }

            @Override
            public void nativeStreams(int delta) {
                nativeStreams.addAndGet(delta);
            }
        });
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** One message the client sends. */
    record Msg(boolean text, byte[] bytes, boolean compress, int fragments) {
        @Override
        public String toString() {
            return (text ? "text " : "binary ") + bytes.length + (compress ? " compressed" : "") + (fragments > 1 ? " in " + fragments : "");
        }
    }

    /**
     * An echo case: offer, the extension header the server must answer with (null: declined), the messages.
     */
    record EchoCase(String id, String description, String offer, String expectedExtension, List<Msg> messages) {
        @Override
        public String toString() {
            return id + " " + description;
        }
    }

    static byte[] jsonText(int size, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        StringBuilder b = new StringBuilder();
        while (b.length() < size) {
            b.append("{\"type\":\"metrics\",\"seq\":").append(r.nextInt(100000)).append(",\"viewers\":").append(r.nextInt(500))
                    .append(",\"rung\":\"").append(new String[]{"240p", "360p", "720p"}[r.nextInt(3)]).append("\",\"bufferSeconds\":")
                    .append(r.nextInt(100) / 10.0).append("},");
        }
        return b.substring(0, size).getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] bitmap(int size, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        byte[] b = new byte[size];
        for (int i = 0; i < size; ) {
            int run = 1 + r.nextInt(16);
            byte v = (byte) r.nextInt(256);
            for (int k = 0; k < run && i < size; k++) b[i++] = v;
        }
        return b;
    }

    static List<Msg> messages(boolean text, int size, int count, int fragments) {
        List<Msg> m = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            m.add(new Msg(text, text ? jsonText(size, size * 31L + i) : bitmap(size, size * 17L + i), true, fragments));
        }
        return m;
    }

    static Stream<EchoCase> echoCases() {
        List<EchoCase> cases = new ArrayList<>();
        String offer = "permessage-deflate; client_max_window_bits"; // what Chromium offers
        for (int i = 0; i < SIZES.length; i++) {
            cases.add(new EchoCase("12.1." + (i + 1), "compressed JSON text, " + SIZES[i] + " bytes", offer,
                    "permessage-deflate", messages(true, SIZES[i], 4, 1)));
            cases.add(new EchoCase("12.2." + (i + 1), "compressed binary (bitmap-like), " + SIZES[i] + " bytes", offer,
                    "permessage-deflate", messages(false, SIZES[i], 4, 1)));
        }
        // Fragmented compressed messages: RSV1 on the first frame only (RFC 7692 §6.1), inflated across fragments.
        int[] fragments = {2, 3, 7, 16};
        for (int i = 0; i < fragments.length; i++) {
            cases.add(new EchoCase("12.3." + (i + 1), "compressed JSON text of 65536 bytes in " + fragments[i] + " fragments",
                    offer, "permessage-deflate", messages(true, 65536, 3, fragments[i])));
        }
        List<Msg> mixed = new ArrayList<>(messages(true, 1024, 2, 1));
        mixed.add(1, new Msg(true, jsonText(1024, 99), false, 1));
        mixed.add(new Msg(false, new byte[0], true, 1));
        mixed.add(new Msg(true, new byte[0], true, 1));
        cases.add(new EchoCase("12.4.1", "compressed and uncompressed messages mixed, and empty compressed ones", offer,
                "permessage-deflate", mixed));
        // Section 13: the same payloads under different offers.
        String[][] offers = {
                {"13.1", "permessage-deflate", "permessage-deflate"},
                {"13.2", "permessage-deflate; server_no_context_takeover", "permessage-deflate; server_no_context_takeover"},
                {"13.3", "permessage-deflate; server_max_window_bits=8", null},
                {"13.4", "permessage-deflate; server_max_window_bits=15", "permessage-deflate; server_max_window_bits=15"},
                {"13.5", "permessage-deflate; server_no_context_takeover; server_max_window_bits=8", null},
                {"13.6", "permessage-deflate; server_no_context_takeover; server_max_window_bits=15",
                        "permessage-deflate; server_no_context_takeover; server_max_window_bits=15"},
                {"13.7", "permessage-deflate; server_no_context_takeover; server_max_window_bits=8, "
                        + "permessage-deflate; server_no_context_takeover, permessage-deflate",
                        "permessage-deflate; server_no_context_takeover"},
                {"13.8", "permessage-deflate; client_no_context_takeover; client_max_window_bits",
                        "permessage-deflate; client_no_context_takeover"},
        };
        int[] sizes = {16, 1024, 65536};
        for (String[] o : offers) {
            for (int i = 0; i < sizes.length; i++) {
                cases.add(new EchoCase(o[0] + "." + (i + 1), "offer [" + o[1] + "], JSON text of " + sizes[i] + " bytes",
                        o[1], o[2], messages(true, sizes[i], 4, 1)));
            }
        }
        return cases.stream();
    }

    /** The agreement as the client understands the server's answer. */
    static PerMessageDeflate.Agreement clientAgreement(String extension) {
        String e = extension.toLowerCase(Locale.ROOT);
        return new PerMessageDeflate.Agreement(e.contains("server_no_context_takeover"),
                e.contains("client_no_context_takeover"), 15, 15, 6, false, false);
    }

    static String extensionHeader(String head) {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).equalsIgnoreCase("Sec-WebSocket-Extensions")) {
                return line.substring(colon + 1).strip();
            }
        }
        return null;
    }

    static final SplittableRandom MASKS = new SplittableRandom(7692);

    static byte[] clientFrame(boolean fin, int rsv, int opcode, byte[] payload) {
        FrameHeader h = new FrameHeader(fin, (rsv & 4) != 0, (rsv & 2) != 0, (rsv & 1) != 0, opcode, true, MASKS.nextInt(), payload.length);
        ByteBuffer b = FrameWriter.encode(h, ByteBuffer.wrap(payload));
        return Arrays.copyOfRange(b.array(), b.position(), b.limit());
    }

    /** A message as frames: RSV1 on the first only, payload split as evenly as can be. */
    static byte[] frames(Msg m, MessageDeflater deflater) {
        boolean compress = m.compress() && deflater != null;
        byte[] payload = compress ? WsServerTestBytes.of(deflater.compress(ByteBuffer.wrap(m.bytes()))) : m.bytes();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int n = m.fragments();
        for (int k = 0; k < n; k++) {
            int from = (int) ((long) payload.length * k / n), to = (int) ((long) payload.length * (k + 1) / n);
            int opcode = k == 0 ? (m.text() ? WsOpcode.TEXT.code() : WsOpcode.BINARY.code()) : WsOpcode.CONTINUATION.code();
            out.writeBytes(clientFrame(k == n - 1, k == 0 && compress ? 4 : 0, opcode, Arrays.copyOfRange(payload, from, to)));
        }
        return out.toByteArray();
    }

    /** A reply from the server. */
    record Reply(boolean text, boolean compressed, byte[] bytes) {}

    /** What the server sent until its Close: replies and the Close's code (null: no Close, the connection dropped). */
    record Seen(List<Reply> replies, Integer closeCode) {}

    static Seen readUntilClose(InputStream in, PerMessageDeflate.Agreement agreement) throws IOException {
        WsMessageAssembler client = agreement == null ? WsMessageAssembler.client(WsLimits.DEFAULT)
                : WsMessageAssembler.client(WsLimits.DEFAULT, agreement, DeflateEvents.NONE);
        List<Reply> replies = new ArrayList<>();
        ByteBuffer buf = ByteBuffer.allocate(1 << 20);
        byte[] chunk = new byte[64 * 1024];
        try {
            while (true) {
                int n = in.read(chunk);
                if (n < 0) return new Seen(replies, null);
                buf.put(chunk, 0, n).flip();
                for (WsEvent e; (e = client.next(buf)) != null; ) {
                    switch (e) {
                        case WsEvent.Text t -> replies.add(new Reply(true, t.compressed(), WsServerTestBytes.of(t.payload())));
                        case WsEvent.Binary b -> replies.add(new Reply(false, b.compressed(), WsServerTestBytes.of(b.payload())));
                        case WsEvent.Close c -> {
                            return new Seen(replies, c.code());
                        }
                        default -> { } // pings, pongs
                    }
                }
                buf.compact();
            }
        } catch (WsCloseException e) {
            throw new AssertionError("the server's frames do not decode: " + e.getMessage(), e);
        } finally {
            client.end();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("echoCases")
    void compressedEchoAsAutobahnExpects(EchoCase c) throws Exception {
        WsTestServer.Upgraded u = WsTestServer.connect(server, "/ws/echo", c.offer());
        try (Socket s = u.socket()) {
            s.setSoTimeout(15_000);
            String extension = extensionHeader(u.head());
            assertEquals(c.expectedExtension(), extension, c.id() + ": the server's Sec-WebSocket-Extensions");
            PerMessageDeflate.Agreement agreement = extension == null ? null : clientAgreement(extension);
            MessageDeflater deflater = agreement == null ? null : MessageDeflater.client(agreement, DeflateEvents.NONE);
            OutputStream out = s.getOutputStream();
            try {
                for (Msg m : c.messages()) out.write(frames(m, deflater));
            } finally {
                if (deflater != null) deflater.end();
            }
            out.write(clientFrame(true, 0, WsOpcode.CLOSE.code(), WsServerTestBytes.of(FrameWriter.closePayload(1000, ""))));
            out.flush();
            // A server that ignored server_no_context_takeover would refer back to earlier messages, which the
            // client's inflater (reset after every message under that agreement) rejects: the read then fails.
            Seen seen = readUntilClose(s.getInputStream(), agreement);
            assertEquals(c.messages().size(), seen.replies().size(), c.id() + ": one echo per message; got "
                    + seen.replies().stream().map(r -> (r.text() ? "text " : "binary ") + r.bytes().length
                    + (r.compressed() ? " compressed" : "")).toList() + ", close " + seen.closeCode());
            for (int i = 0; i < c.messages().size(); i++) {
                Msg m = c.messages().get(i);
                Reply r = seen.replies().get(i);
                assertEquals(m.text(), r.text(), c.id() + " message " + i + ": type");
                assertArrayEquals(m.bytes(), r.bytes(), c.id() + " message " + i + ": " + m);
                assertEquals(m.compress() && agreement != null, r.compressed(),
                        c.id() + " message " + i + ": echoed compressed exactly when it came compressed");
            }
            assertEquals(1000, seen.closeCode(), c.id() + ": close");
        }
    }

    /** A protocol violation: the frames the client sends after a default handshake, and the code it must cause. */
    record Violation(String id, String offer, Function<MessageDeflater, byte[]> wire, int closeCode) {
        @Override
        public String toString() {
            return id + " -> " + closeCode;
        }
    }

    static byte[] compressed(MessageDeflater d, byte[] message) {
        return WsServerTestBytes.of(d.compress(ByteBuffer.wrap(message)));
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }

    static Stream<Violation> violations() {
        String offer = "permessage-deflate";
        int text = WsOpcode.TEXT.code(), cont = WsOpcode.CONTINUATION.code();
        return Stream.of(
                new Violation("rsv1-on-continuation", offer, d -> {
                    byte[] c = compressed(d, jsonText(4096, 1));
                    return concat(clientFrame(false, 4, text, Arrays.copyOfRange(c, 0, 10)),
                            clientFrame(true, 4, cont, Arrays.copyOfRange(c, 10, c.length)));
                }, WsCloseCodes.PROTOCOL_ERROR),
                new Violation("rsv1-on-ping", offer, d -> clientFrame(true, 4, WsOpcode.PING.code(), new byte[]{1, 2}),
                        WsCloseCodes.PROTOCOL_ERROR),
                new Violation("rsv1-on-pong", offer, d -> clientFrame(true, 4, WsOpcode.PONG.code(), new byte[0]),
                        WsCloseCodes.PROTOCOL_ERROR),
                new Violation("rsv1-on-close", offer, d -> clientFrame(true, 4, WsOpcode.CLOSE.code(),
                        WsServerTestBytes.of(FrameWriter.closePayload(1000, ""))), WsCloseCodes.PROTOCOL_ERROR),
                new Violation("rsv2-with-deflate", offer, d -> clientFrame(true, 2, text, new byte[]{'x'}),
                        WsCloseCodes.PROTOCOL_ERROR),
                new Violation("rsv1-after-declined-offer", "permessage-deflate; server_max_window_bits=9",
                        d -> clientFrame(true, 4, text, new byte[]{(byte) 0xf2, 0x48, (byte) 0xcd, (byte) 0xc9, (byte) 0xc9, 0x07, 0x00}),
                        WsCloseCodes.PROTOCOL_ERROR),
                new Violation("zip-bomb", offer, d -> {
                    // 32 MiB of zeros, ~32 KiB on the wire: past the 16 MiB message limit only once inflated
                    byte[] bomb = compressed(d, new byte[32 << 20]);
                    return clientFrame(true, 4, WsOpcode.BINARY.code(), bomb);
                }, WsCloseCodes.MESSAGE_TOO_BIG),
                new Violation("corrupt-deflate", offer, d -> clientFrame(true, 4, WsOpcode.BINARY.code(),
                        new byte[]{(byte) 0xFF, (byte) 0xFF, 0x00, 0x11}), WsCloseCodes.INVALID_PAYLOAD_DATA),
                new Violation("invalid-utf8-compressed", offer, d -> clientFrame(true, 4, text,
                        compressed(d, new byte[]{'a', (byte) 0xED, (byte) 0xA0, (byte) 0x80})), WsCloseCodes.INVALID_PAYLOAD_DATA));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("violations")
    void violationFailsTheConnection(Violation v) throws Exception {
        WsTestServer.Upgraded u = WsTestServer.connect(server, "/ws/echo", v.offer());
        MessageDeflater d = new MessageDeflater(6, false, DeflateEvents.NONE);
        try (Socket s = u.socket()) {
            s.setSoTimeout(15_000);
            String extension = extensionHeader(u.head());
            try {
                s.getOutputStream().write(v.wire().apply(d));
                s.getOutputStream().flush();
            } catch (IOException closedUnderUs) {
                // the server may fail the connection before the client finished writing
            }
            Seen seen = readUntilClose(s.getInputStream(), extension == null ? null : clientAgreement(extension));
            assertEquals(List.of(), seen.replies(), v.id() + ": nothing echoed");
            assertEquals(v.closeCode(), seen.closeCode(), v.id() + ": close code");
        } finally {
            d.end();
        }
    }

    @Test
    void everyDeflaterAndInflaterIsEndedWhenConnectionsClose() throws Exception {
        assertTrue(Await.until(Duration.ofSeconds(10), () -> nativeStreams.get() == 0), "earlier cases still open");
        // Idle connections with the extension agreed hold no native memory: the streams come with the first message.
        List<Socket> idle = new ArrayList<>();
        for (int i = 0; i < 4; i++) idle.add(WsTestServer.connect(server, "/ws/echo", "permessage-deflate").socket());
        // Cleanly closed, failed, and dropped connections (no Close, just a TCP reset) must all end their streams.
        List<Socket> open = new ArrayList<>();
        PerMessageDeflate.Agreement agreement = PerMessageDeflate.Agreement.defaults();
        for (int i = 0; i < 12; i++) {
            Socket s = WsTestServer.connect(server, "/ws/echo", "permessage-deflate").socket();
            s.setSoTimeout(15_000);
            MessageDeflater d = MessageDeflater.client(agreement, DeflateEvents.NONE);
            try {
                s.getOutputStream().write(frames(new Msg(true, jsonText(512, i), true, 1), d));
            } finally {
                d.end();
            }
            open.add(s);
        }
        assertTrue(Await.until(Duration.ofSeconds(10), () -> nativeStreams.get() == 24),
                "each connection that exchanged a compressed message holds a Deflater and an Inflater, idle ones none: "
                        + nativeStreams.get());
        for (Socket s : idle) s.close();
        for (int i = 0; i < open.size(); i++) {
            Socket s = open.get(i);
            switch (i % 3) {
                case 0 -> s.getOutputStream().write(clientFrame(true, 0, WsOpcode.CLOSE.code(),
                        WsServerTestBytes.of(FrameWriter.closePayload(1000, ""))));
                case 1 -> s.getOutputStream().write(clientFrame(true, 4, WsOpcode.PING.code(), new byte[0]));
                default -> s.setSoLinger(true, 0);
            }
            s.getOutputStream().flush();
        }
        for (Socket s : open) s.close();
        assertTrue(Await.until(Duration.ofSeconds(15), () -> nativeStreams.get() == 0),
                "native zlib streams still alive: " + nativeStreams.get());
    }
}
