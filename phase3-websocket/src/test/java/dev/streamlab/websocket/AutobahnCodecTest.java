package dev.streamlab.websocket;

import dev.streamlab.websocket.AutobahnCases.Case;
import dev.streamlab.websocket.AutobahnCases.Expected;
import dev.streamlab.websocket.AutobahnCases.Payload;
import dev.streamlab.websocket.AutobahnCases.Reply;
import dev.streamlab.websocket.AutobahnCases.Write;
import dev.streamlab.websocket.frame.FrameWriter;
import dev.streamlab.websocket.frame.WsCloseException;
import dev.streamlab.websocket.frame.WsOpcode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Autobahn|Testsuite sections 1–7, 9, 10 at the codec level: each case of {@link AutobahnCases} is fed, write by
 * write, into a server-side {@link WsMessageAssembler}; its replies (echoes, pongs, its Close) are encoded by a
 * server {@link FrameWriter}, decoded again by a client-side assembler, and compared with the case's expectation.
 *
 * <p>Run one case: {@code mvn -pl phase3-websocket -am test -Dtest='AutobahnCodecTest' -Djmh.skip=true} and look for
 * its id in the report; each invocation is named after it ("6.4.1 Send invalid UTF-8 …").
 */
class AutobahnCodecTest {

    static Stream<Case> cases() {
        return AutobahnCases.all().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void serverBehavesAsAutobahnExpects(Case c) throws IOException {
        Outcome outcome = run(c, Delivery.AS_AUTOBAHN_SENDS, 0x1234_5678 ^ c.id().hashCode());
        assertOutcome(c, outcome);
    }

    /** Small cases again with every byte in a write of its own: the outcome must not depend on how TCP cut the stream. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void sameOutcomeWhenEveryByteArrivesAlone(Case c) throws IOException {
        if (c.wireLength() > 300_000) return; // the big section 9 cases are covered by their own chopped variants
        Outcome outcome = run(c, Delivery.ONE_BYTE_WRITES, 0x0bad_cafe ^ c.id().hashCode());
        assertOutcome(c, outcome);
    }

    @Test
    void tableCoversSectionsOneToSevenNineAndTen() {
        Map<Integer, Integer> counts = AutobahnCases.countBySection();
        assertEquals(Map.of(1, 16, 2, 11, 3, 7, 4, 10, 5, 20, 6, 145, 7, 37, 9, 54, 10, 1), counts);
        Set<String> ids = new HashSet<>();
        for (Case c : AutobahnCases.all()) assertTrue(ids.add(c.id()), "duplicate id " + c.id());
    }

    @Test
    void utf8SequencesOfSectionSixAgreeWithTheJdkDecoder() {
        // The table's valid/invalid flags are Autobahn's; check them against an independent oracle.
        for (AutobahnCases.Utf8Group g : AutobahnCases.utf8Groups()) {
            for (AutobahnCases.Utf8Sequence s : g.sequences()) {
                assertEquals(s.valid(), Utf8ValidatorTest.jdkAccepts(s.bytes()), g.name() + " " + Payload.of(s.bytes()));
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ runner

    enum Delivery { AS_AUTOBAHN_SENDS, ONE_BYTE_WRITES }

    /** What the server did: replies in order, then either a Close reply or a failure, and where it failed. */
    record Outcome(List<Reply> replies, Integer closeReply, Integer failure, Set<String> pausesPassedBeforeFailure,
                   String failureReason) {
    }

    static Outcome run(Case c, Delivery delivery, long maskSeed) throws IOException {
        SplittableRandom masks = new SplittableRandom(maskSeed);
        List<Write> writes = AutobahnCases.writes(c, masks::nextInt);
        if (delivery == Delivery.ONE_BYTE_WRITES) writes = oneByteEach(writes);
        WsMessageAssembler server = WsMessageAssembler.server(WsLimits.DEFAULT);
        ServerReplies out = new ServerReplies();
        Set<String> pausesPassed = new HashSet<>();
        for (Write w : writes) {
            if (w.pause() != null) {
                pausesPassed.add(w.pause().label());
                continue;
            }
            ByteBuffer src = ByteBuffer.wrap(w.bytes());
            try {
                WsEvent event;
                while ((event = server.next(src)) != null) {
                    out.answer(event);
                }
            } catch (WsCloseException e) {
                out.writer.writeClose(out.channel, e.closeCode(), e.closeReason());
                return out.decode(Set.copyOf(pausesPassed), e.closeCode(), e.getMessage());
            }
            if (server.isClosed()) break;
        }
        return out.decode(Set.of(), null, null);
    }

    private static List<Write> oneByteEach(List<Write> writes) {
        List<Write> single = new ArrayList<>();
        for (Write w : writes) {
            if (w.pause() != null) {
                single.add(w);
            } else {
                for (byte b : w.bytes()) single.add(new Write(new byte[]{b}, null));
            }
        }
        return single;
    }

    /** The server's side of the conversation: answers events with a server FrameWriter into a byte sink. */
    private static final class ServerReplies {
        final ByteArrayOutputStream wire = new ByteArrayOutputStream();
        final WritableByteChannel sink = Channels.newChannel(wire);
        final java.nio.channels.GatheringByteChannel channel = new GatheringSink(sink);
        final FrameWriter writer = FrameWriter.server();

        void answer(WsEvent event) throws IOException {
            switch (event) {
                case WsEvent.Text t -> writer.write(channel, WsOpcode.TEXT, t.payload());
                case WsEvent.Binary b -> writer.write(channel, WsOpcode.BINARY, b.payload());
                case WsEvent.Ping p -> writer.write(channel, WsOpcode.PONG, p.payload());
                case WsEvent.Pong p -> { } // RFC 6455 §5.5.3: no answer
                case WsEvent.Close cl -> writer.writeClose(channel, cl.replyCode(), "");
            }
        }

        /** Reads back what the server wrote, as a client would. */
        Outcome decode(Set<String> pausesPassed, Integer failure, String reason) {
            WsMessageAssembler client = WsMessageAssembler.client(WsLimits.DEFAULT);
            ByteBuffer src = ByteBuffer.wrap(wire.toByteArray());
            List<Reply> replies = new ArrayList<>();
            Integer closeReply = null;
            try {
                WsEvent e;
                while ((e = client.next(src)) != null) {
                    switch (e) {
                        case WsEvent.Text t -> replies.add(Reply.text(Payload.of(bytes(t.payload()))));
                        case WsEvent.Binary b -> replies.add(Reply.binary(Payload.of(bytes(b.payload()))));
                        case WsEvent.Pong p -> replies.add(Reply.pong(Payload.of(bytes(p.payload()))));
                        case WsEvent.Ping p -> fail("server sent a ping");
                        case WsEvent.Close cl -> closeReply = cl.code();
                    }
                }
            } catch (WsCloseException e) {
                fail("the server's own frames do not decode: " + e.getMessage());
            }
            assertFalse(src.hasRemaining(), "bytes after the server's Close");
            assertTrue(client.isAtFrameBoundary(), "the server's last frame is truncated");
            if (failure != null) {
                assertEquals(failure, closeReply, "the Close the server sent carries the failure code");
                return new Outcome(replies, null, failure, pausesPassed, reason);
            }
            return new Outcome(replies, closeReply, null, pausesPassed, null);
        }
    }

    static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    static void assertOutcome(Case c, Outcome o) {
        switch (c.expected()) {
            case Expected.Closed closed -> {
                assertNull(o.failure(), () -> c.id() + ": the server failed the connection with " + o.failure() + " (" + o.failureReason() + ")");
                assertEquals(closed.replies(), o.replies(), c.id() + ": replies");
                assertEquals(closed.closeCode(), o.closeReply(), c.id() + ": close code of the server's Close");
            }
            case Expected.Failed failed -> {
                assertEquals(failed.closeCode(), o.failure(), () -> c.id() + ": expected the connection failed with " + failed.closeCode()
                        + ", got " + (o.failure() != null ? "failure " + o.failure() : "close reply " + o.closeReply()) + ", replies " + o.replies());
                // A codec that processes frames in order sends the replies Autobahn calls "OK" (strict).
                assertEquals(failed.replies(), o.replies(), c.id() + ": replies before the failure");
                if (failed.failBefore() != null) {
                    assertFalse(o.pausesPassedBeforeFailure().contains(failed.failBefore()),
                            c.id() + ": not failed fast (still open after pause " + failed.failBefore() + ")");
                }
            }
        }
    }

    /** A gathering channel over any byte channel, writing the buffers one after another. */
    private record GatheringSink(WritableByteChannel out) implements java.nio.channels.GatheringByteChannel {
        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            long n = 0;
            for (int i = offset; i < offset + length; i++) {
                while (srcs[i].hasRemaining()) n += out.write(srcs[i]);
            }
            return n;
        }

        @Override
        public long write(ByteBuffer[] srcs) throws IOException {
            return write(srcs, 0, srcs.length);
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            return out.write(src);
        }

        @Override
        public boolean isOpen() {
            return out.isOpen();
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }
}
