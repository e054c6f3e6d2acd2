package dev.streamlab.websocket.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.streamlab.phase3.Phase3Server;
import dev.streamlab.websocket.AutobahnCases;
import dev.streamlab.websocket.AutobahnCases.Case;
import dev.streamlab.websocket.AutobahnCases.Expected;
import dev.streamlab.websocket.AutobahnCases.Payload;
import dev.streamlab.websocket.AutobahnCases.Reply;
import dev.streamlab.websocket.AutobahnCases.Write;
import dev.streamlab.websocket.WsEvent;
import dev.streamlab.websocket.WsLimits;
import dev.streamlab.websocket.WsMessageAssembler;
import dev.streamlab.websocket.frame.WsCloseException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Autobahn|Testsuite cases of sections 1–7, 9 and 10 (the table the codec tests use), this time over real
 * sockets against {@code /ws/echo} on phase 3's own server: the client performs each case's writes and pauses as
 * Autobahn's fuzzing client would, and reads what the server sends back until its Close or EOF.
 */
class AutobahnOverSocketsTest {
    static Phase3Server server;

    @BeforeAll
    static void start() throws IOException {
        server = WsTestServer.start(Duration.ofSeconds(30));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static Stream<Case> cases() {
        return AutobahnCases.all().stream();
    }

    /** What the server did, as the client saw it. */
    record Seen(List<Reply> replies, Integer closeCode, Set<String> pausesEndedBeforeClose) {}

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void serverBehavesAsAutobahnExpects(Case c) throws Exception {
        Seen seen = run(c);
        switch (c.expected()) {
            case Expected.Closed closed -> {
                assertEquals(closed.replies(), seen.replies(), c.id() + ": replies");
                assertEquals(closed.closeCode(), seen.closeCode(), c.id() + ": the server's Close code");
            }
            case Expected.Failed failed -> {
                assertEquals(failed.closeCode(), seen.closeCode(), c.id() + ": the server failed the connection with");
                if (!failed.repliesOptional()) assertEquals(failed.replies(), seen.replies(), c.id() + ": replies");
                if (failed.failBefore() != null) {
                    assertFalse(seen.pausesEndedBeforeClose().contains(failed.failBefore()),
                            c.id() + ": not failed fast (still open after pause " + failed.failBefore() + ")");
                }
            }
        }
    }

    static Seen run(Case c) throws Exception {
        List<Write> writes = AutobahnCases.writes(c, new SplittableRandom(c.id().hashCode())::nextInt);
        try (Socket s = WsTestServer.connect(server, "/ws/echo")) {
            s.setSoTimeout(15_000);
            CompletableFuture<Seen> reader = new CompletableFuture<>();
            Set<String> pausesEnded = java.util.concurrent.ConcurrentHashMap.newKeySet();
            Set<String> endedBeforeClose = new HashSet<>();
            Thread.ofVirtual().start(() -> {
                try {
                    reader.complete(read(s.getInputStream(), pausesEnded, endedBeforeClose));
                } catch (Throwable t) {
                    reader.completeExceptionally(t);
                }
            });
            OutputStream out = s.getOutputStream();
            for (Write w : writes) {
                if (reader.isDone()) break; // the server closed: Autobahn's client stops too
                if (w.pause() != null) {
                    Thread.sleep(w.pause().duration()); // the case's own pause: part of what is tested
                    pausesEnded.add(w.pause().label());
                    continue;
                }
                try {
                    out.write(w.bytes());
                    out.flush();
                } catch (IOException closedUnderUs) {
                    break;
                }
            }
            Seen seen = reader.get(20, TimeUnit.SECONDS);
            assertNotNull(seen);
            return seen;
        }
    }

    /** Reads the server's frames as a client until its Close frame (or EOF); replies in order. */
    static Seen read(InputStream in, Set<String> pausesEnded, Set<String> endedBeforeClose) throws IOException {
        WsMessageAssembler client = WsMessageAssembler.client(WsLimits.DEFAULT);
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        byte[] chunk = new byte[64 * 1024];
        List<Reply> replies = new ArrayList<>();
        while (true) {
            int n;
            try {
                n = in.read(chunk);
            } catch (SocketTimeoutException e) {
                return new Seen(replies, null, Set.copyOf(pausesEnded));
            } catch (IOException reset) {
                n = -1;
            }
            if (n < 0) return new Seen(replies, null, Set.copyOf(pausesEnded));
            if (buf.remaining() < n) {
                ByteBuffer bigger = ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + n));
                buf.flip();
                bigger.put(buf);
                buf = bigger;
            }
            buf.put(chunk, 0, n).flip();
            try {
                for (WsEvent e; (e = client.next(buf)) != null; ) {
                    switch (e) {
                        case WsEvent.Text t -> replies.add(Reply.text(Payload.of(bytes(t.payload()))));
                        case WsEvent.Binary b -> replies.add(Reply.binary(Payload.of(bytes(b.payload()))));
                        case WsEvent.Pong p -> replies.add(Reply.pong(Payload.of(bytes(p.payload()))));
                        case WsEvent.Ping p -> { } // a heartbeat; not part of any case
                        case WsEvent.Close cl -> {
                            endedBeforeClose.addAll(pausesEnded);
                            return new Seen(replies, cl.code(), Set.copyOf(endedBeforeClose));
                        }
                    }
                }
            } catch (WsCloseException e) {
                throw new AssertionError("the server's frames do not decode: " + e.getMessage(), e);
            }
            buf.compact();
        }
    }

    static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }
}
