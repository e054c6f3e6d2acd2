package dev.streamlab.bench;

import dev.streamlab.http1.Http1Settings;
import dev.streamlab.phase3.Phase3Main;
import dev.streamlab.phase3.Phase3Server;
import dev.streamlab.websocket.WsEvent;
import dev.streamlab.websocket.WsHandshake;
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
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/*
 * Phase 4's question "Compression: worth it?", part 2: what does permessage-deflate do to latency end to end?
 *
 * One op is one round trip over a loopback WebSocket to phase 3's /ws/echo (wired as ./lab run phase3 wires it,
 * permessage-deflate negotiated): the client sends a message — compressed (RSV1) or not — and waits for the echo,
 * which the server sends back the same way (EchoEndpoint mirrors the compression). So a compressed op pays four
 * codec steps (client deflate, server inflate, server deflate, client inflate) and moves fewer bytes; on loopback the
 * bytes are nearly free, so this is the worst case for compression — on a slow link the smaller message wins back
 * size / bandwidth (e.g. 40 KB less at 10 Mbit/s is 32 ms). The README turns both into an answer.
 *   compress=false  the message as is (the client still masks it: RFC 6455 §5.3, one copy, as a browser does);
 *   compress=true   deflated with context takeover, as a long-lived control channel would.
 *
 * How to run: ./lab bench phase4-compression (with CompressionBenchmark), or
 *   java -Dstreamlab.media=media -cp <test classpath> org.openjdk.jmh.Main CompressionLatencyBenchmark
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class CompressionLatencyBenchmark {
    @Param({"stats-json", "meta-json", "metrics-scrape", "segment-360p", "segment-720p", "raw-frame"})
    public String payload;

    @Param({"false", "true"})
    public boolean compress;

    private Phase3Server server;
    private Socket socket;
    private OutputStream out;
    private InputStream in;
    private MessageDeflater deflater;
    private WsMessageAssembler assembler;
    private final SplittableRandom masks = new SplittableRandom(7692);
    private byte[] data;
    private boolean text;
    private final ByteBuffer readBuffer = ByteBuffer.allocate(1 << 20);
    private final byte[] chunk = new byte[64 * 1024];

    @Setup(Level.Trial)
    public void setUp() throws IOException, InterruptedException {
        data = CompressionPayloads.load(payload);
        text = payload.endsWith("-json") || payload.equals("metrics-scrape"); // segments and pixels go as binary
        Path media = CompressionPayloads.media();
        Path root = Path.of(System.getProperty("streamlab.root", media.toAbsolutePath().getParent().toString()));
        server = Phase3Server.start("127.0.0.1", 0, media, new Phase3Server.Settings(root.resolve("frontend"), Http1Settings.DEFAULTS));
        server.setUpgradeHandler(Phase3Main.webSockets(server));
        socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", server.uri().getPort()), 5000);
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(30_000);
        out = socket.getOutputStream();
        in = socket.getInputStream();
        String key = "dGhlIHNhbXBsZSBub25jZQ==";
        out.write(("GET /ws/echo HTTP/1.1\r\nHost: 127.0.0.1:" + server.uri().getPort() + "\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n"
                + "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        String head = readHead(in);
        if (!head.startsWith("HTTP/1.1 101") || !head.contains(WsHandshake.acceptKey(key))) {
            throw new IOException("handshake failed: " + head);
        }
        if (!head.toLowerCase().contains("sec-websocket-extensions: permessage-deflate")) {
            throw new IOException("the server did not agree to permessage-deflate: " + head);
        }
        PerMessageDeflate.Agreement agreement = PerMessageDeflate.Agreement.defaults();
        deflater = MessageDeflater.client(agreement, DeflateEvents.NONE);
        assembler = WsMessageAssembler.client(WsLimits.DEFAULT, agreement, DeflateEvents.NONE);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        try {
            out.write(frame(false, WsOpcode.CLOSE, FrameWriter.closePayload(1000, "")));
            socket.close();
        } finally {
            deflater.end();
            assembler.end();
            server.close();
        }
    }

    @Benchmark
    public int roundTrip() throws IOException, WsCloseException {
        ByteBuffer message = ByteBuffer.wrap(data);
        out.write(frame(compress, text ? WsOpcode.TEXT : WsOpcode.BINARY, compress ? deflater.compress(message) : message));
        while (true) {
            readBuffer.flip();
            for (WsEvent e; (e = assembler.next(readBuffer)) != null; ) {
                switch (e) {
                    case WsEvent.Text t -> { return done(t.payload()); }
                    case WsEvent.Binary b -> { return done(b.payload()); }
                    case WsEvent.Close c -> throw new IOException("the server closed: " + c.code() + " " + c.reason());
                    default -> { } // a heartbeat ping
                }
            }
            readBuffer.compact();
            int n = in.read(chunk, 0, Math.min(chunk.length, readBuffer.remaining()));
            if (n < 0) throw new IOException("the server closed the connection");
            readBuffer.put(chunk, 0, n);
        }
    }

    private int done(ByteBuffer echo) throws IOException {
        if (echo.remaining() != data.length) throw new IOException("echo of " + echo.remaining() + " bytes, sent " + data.length);
        readBuffer.compact();
        return echo.remaining();
    }

    /** One masked client frame (RFC 6455 §5.3), RSV1 when compressed (RFC 7692 §6). */
    private byte[] frame(boolean rsv1, WsOpcode opcode, ByteBuffer payload) {
        FrameHeader h = new FrameHeader(true, rsv1, false, false, opcode.code(), true, masks.nextInt(), payload.remaining());
        ByteBuffer b = FrameWriter.encode(h, payload);
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        return bytes;
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int state = 0;
        for (int c; (c = in.read()) != -1 && b.size() < 16 * 1024; ) {
            b.write(c);
            state = (c == '\r' && (state == 0 || state == 2)) || (c == '\n' && (state == 1 || state == 3)) ? state + 1 : (c == '\r' ? 1 : 0);
            if (state == 4) break;
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }
}
