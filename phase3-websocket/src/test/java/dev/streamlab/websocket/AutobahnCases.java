package dev.streamlab.websocket;

import dev.streamlab.websocket.frame.FrameHeader;
import dev.streamlab.websocket.frame.FrameWriter;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Autobahn|Testsuite (crossbario/autobahn-testsuite, the fuzzing client's cases) sections 1–7, 9 and 10 as data: for
 * each case its id, what the client sends, and what a correct server does. Autobahn itself needs Python 2 and Docker
 * and cannot run here, so its cases are ported: {@code AutobahnCodecTest} feeds the client's bytes into
 * {@link WsMessageAssembler} (the codec level); a socket-level runner can send the same bytes to a running server.
 *
 * <h2>Reading a case</h2>
 * <ul>
 *   <li>{@link Case#steps()}: what the client sends, in order. {@link Step.Send} is one frame as Autobahn's
 *       {@code sendFrame(opcode, fin, rsv, payload, payload_len, chopsize, sync)} sends it; {@link Step.SendPart}
 *       is a slice of one frame (Autobahn's {@code sendMessageFrameData}, cases 6.4.3/6.4.4); {@link Step.Pause} is
 *       where Autobahn waits ({@code continueLater}) and checks whether the server already failed the connection.
 *       Where Autobahn's harness closes the connection after the case ({@code closeAfter}), the table makes that
 *       explicit as a final {@code Close 1000} frame.</li>
 *   <li>Client frames are masked (RFC 6455 §5.3); {@link ClientFrame#encode(int)} produces the wire bytes for a
 *       mask key — any key must give the same outcome.</li>
 *   <li>Delivery: frames without {@code sync} or {@code chopSize} may share one write with their neighbours
 *       (Twisted coalesces them); {@code sync} frames go in a write of their own; a {@code chopSize} frame goes in
 *       writes of that many bytes. A server must be agnostic to all of it ("TCP clean").
 *       {@link #writes(Case, java.util.function.IntSupplier)} turns a case into exactly these writes and pauses,
 *       so a socket runner only has to write them and read the replies.</li>
 *   <li>{@link Case#expected()}: {@link Expected.Closed} — the server answers with these replies (echoed messages,
 *       pongs) in order, then answers the client's Close with this code, cleanly; {@link Expected.Failed} — the
 *       server fails the connection with this code (a Close frame with it, or just a dropped TCP connection), after
 *       sending at most the listed replies (Autobahn's "OK"; with {@code repliesOptional}, none is also accepted,
 *       Autobahn's "NON-STRICT"), and, if {@code failBefore} names a pause, before that pause is over (fail
 *       fast).</li>
 *   <li>{@link Case#informational()}: Autobahn accepts any behaviour (7.1.6, 7.13.1, 7.13.2); the table then
 *       records what Streamlab does.</li>
 * </ul>
 *
 * <p>Deviations, all deliberate: 3.6's description says "Ping" but the case sends opcode 2, and so does the
 * table; in 7.7.x Autobahn accepts 1000 or the echoed code, the table expects the echo (RFC 6455 §5.5.1 "typically
 * echos"); in 7.3.1 (empty Close) the table expects 1000, the code Autobahn checks. Section 9's timing (Autobahn
 * reports round-trip times) is not ported, only the outcome; 9.1.6/9.2.6 need a 16 MiB message limit
 * ({@link WsLimits#DEFAULT}).
 */
public final class AutobahnCases {

    private AutobahnCases() {
    }

    /** One Autobahn case. */
    public record Case(String id, String description, String expectation, List<Step> steps, Expected expected,
                       boolean informational) {
        public Case {
            steps = List.copyOf(steps);
        }

        /** The section, e.g. {@code 6} for {@code 6.4.1}. */
        public int section() {
            return Integer.parseInt(id.substring(0, id.indexOf('.')));
        }

        /** Bytes on the wire, all frames together (mask keys do not change it). */
        public long wireLength() {
            long n = 0;
            for (Step s : steps) {
                if (s instanceof Step.Send send) n += send.frame().wireLength();
                else if (s instanceof Step.SendPart part) n += part.wireLength();
            }
            return n;
        }

        @Override
        public String toString() {
            return id + " " + description;
        }
    }

    /**
     * A payload as Autobahn builds it: {@code pattern} repeated and cut to {@code length} bytes (its
     * {@code payload_len}). Kept short until {@link #bytes()} is called, so the table holds no 16 MiB arrays.
     */
    public record Payload(byte[] pattern, int length) {
        public static final Payload EMPTY = new Payload(new byte[0], 0);

        public Payload {
            pattern = pattern.clone();
            if (length < 0 || (length > 0 && pattern.length == 0)) throw new IllegalArgumentException("length " + length);
        }

        public static Payload utf8(String text) {
            byte[] b = text.getBytes(StandardCharsets.UTF_8);
            return new Payload(b, b.length);
        }

        public static Payload hex(String hex) {
            byte[] b = HexFormat.of().parseHex(hex);
            return new Payload(b, b.length);
        }

        public static Payload of(byte[] bytes) {
            return new Payload(bytes, bytes.length);
        }

        /** {@code pattern} (UTF-8) repeated to {@code length} bytes. */
        public static Payload repeat(String pattern, int length) {
            return new Payload(pattern.getBytes(StandardCharsets.UTF_8), length);
        }

        /** {@code pattern} (hex) repeated to {@code length} bytes. */
        public static Payload repeatHex(String hex, int length) {
            return new Payload(HexFormat.of().parseHex(hex), length);
        }

        /** The payload's bytes (a new array). */
        public byte[] bytes() {
            byte[] out = new byte[length];
            for (int i = 0; i < length; i += pattern.length) {
                System.arraycopy(pattern, 0, out, i, Math.min(pattern.length, length - i));
            }
            return out;
        }

        /** Bytes {@code [from, to)} as a new payload: the pattern rotated to {@code from}, so still short. */
        public Payload slice(int from, int to) {
            if (from < 0 || to > length || from > to) throw new IndexOutOfBoundsException(from + ".." + to);
            if (from == to) return EMPTY;
            int shift = from % pattern.length;
            byte[] rotated = new byte[pattern.length];
            for (int i = 0; i < pattern.length; i++) rotated[i] = pattern[(shift + i) % pattern.length];
            return new Payload(rotated, to - from);
        }

        public boolean sameBytes(byte[] other) {
            return Arrays.equals(bytes(), other);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Payload p && p.length == length && Arrays.equals(p.bytes(), bytes());
        }

        @Override
        public int hashCode() {
            return Objects.hash(length, Arrays.hashCode(pattern));
        }

        @Override
        public String toString() {
            if (length <= 32) return "0x" + HexFormat.of().formatHex(bytes());
            return length + " bytes of 0x" + HexFormat.of().formatHex(pattern, 0, Math.min(pattern.length, 16))
                    + (pattern.length > 16 ? "…" : "") + " repeated";
        }
    }

    /**
     * One client frame, Autobahn's {@code sendFrame} arguments.
     *
     * @param opcode   raw 4-bit opcode, reserved ones included
     * @param fin      FIN bit
     * @param rsv      RSV bits as Autobahn numbers them: RSV1 = 4, RSV2 = 2, RSV3 = 1
     * @param payload  the unmasked payload
     * @param chopSize 0, or the size of the writes this frame's bytes go out in
     * @param sync     whether the frame goes out in a write of its own
     */
    public record ClientFrame(int opcode, boolean fin, int rsv, Payload payload, int chopSize, boolean sync) {
        public ClientFrame {
            if ((opcode & ~0xF) != 0 || (rsv & ~7) != 0 || chopSize < 0) throw new IllegalArgumentException();
        }

        public ClientFrame withRsv(int bits) {
            return new ClientFrame(opcode, fin, bits, payload, chopSize, sync);
        }

        public ClientFrame chopped(int size) {
            return new ClientFrame(opcode, fin, rsv, payload, size, sync);
        }

        public ClientFrame synced() {
            return new ClientFrame(opcode, fin, rsv, payload, chopSize, true);
        }

        /** The header, masked with {@code maskKey}. */
        public FrameHeader header(int maskKey) {
            return new FrameHeader(fin, (rsv & 4) != 0, (rsv & 2) != 0, (rsv & 1) != 0, opcode, true, maskKey, payload.length());
        }

        /** The masked wire bytes. */
        public byte[] encode(int maskKey) {
            ByteBuffer b = FrameWriter.encode(header(maskKey), ByteBuffer.wrap(payload.bytes()));
            byte[] out = new byte[b.remaining()];
            b.get(out);
            return out;
        }

        public long wireLength() {
            return FrameWriter.headerLength(payload.length(), true) + (long) payload.length();
        }

        @Override
        public String toString() {
            return "op=" + opcode + (fin ? " FIN" : " fin=0") + (rsv != 0 ? " rsv=" + rsv : "") + " " + payload
                    + (chopSize > 0 ? " chop=" + chopSize : "") + (sync ? " sync" : "");
        }
    }

    /** What the client does next. */
    public sealed interface Step {
        /** Send one frame. */
        record Send(ClientFrame frame) implements Step {
        }

        /**
         * Send the bytes of one frame that carry payload bytes {@code [payloadFrom, payloadTo)}; the part starting
         * at 0 carries the header too. Parts of one frame follow each other, in order, with pauses between; encode
         * them all with the same mask key (as {@link AutobahnCases#writes} does).
         */
        record SendPart(ClientFrame frame, int payloadFrom, int payloadTo) implements Step {
            /** The wire bytes of this part (a slice of {@code frame.encode(maskKey)}). */
            public byte[] encode(int maskKey) {
                byte[] all = frame.encode(maskKey);
                int header = FrameWriter.headerLength(frame.payload().length(), true);
                return Arrays.copyOfRange(all, payloadFrom == 0 ? 0 : header + payloadFrom, header + payloadTo);
            }

            long wireLength() {
                return (payloadFrom == 0 ? FrameWriter.headerLength(frame.payload().length(), true) : 0) + payloadTo - payloadFrom;
            }
        }

        /** Autobahn waits here; a connection failed "fast" is failed before the pause ends. */
        record Pause(String label, Duration duration) implements Step {
        }
    }

    /** What the server sends back before closing: an echoed message (opcode 1 or 2) or a pong (opcode 10). */
    public record Reply(int opcode, Payload payload) {
        public static Reply text(Payload p) {
            return new Reply(1, p);
        }

        public static Reply binary(Payload p) {
            return new Reply(2, p);
        }

        public static Reply pong(Payload p) {
            return new Reply(10, p);
        }

        @Override
        public String toString() {
            return (opcode == 1 ? "TEXT " : opcode == 2 ? "BINARY " : "PONG ") + payload;
        }
    }

    /** What a correct server does. */
    public sealed interface Expected {
        /** Replies in order, then a clean close answering the client's Close with {@code closeCode}. */
        record Closed(List<Reply> replies, int closeCode) implements Expected {
            public Closed {
                replies = List.copyOf(replies);
            }
        }

        /**
         * The server fails the connection with {@code closeCode} (or drops TCP), after at most {@code replies};
         * with {@code repliesOptional} also after none of them; before the pause {@code failBefore} ends, if not
         * null.
         */
        record Failed(int closeCode, List<Reply> replies, boolean repliesOptional, String failBefore) implements Expected {
            public Failed {
                replies = List.copyOf(replies);
            }
        }
    }

    /** One write on the wire ({@code bytes}), or a pause ({@code pause} not null, {@code bytes} null). */
    public record Write(byte[] bytes, Step.Pause pause) {
    }

    /**
     * The case as a socket client performs it: the writes in order, with the pauses between them. Frames without
     * {@code sync} or {@code chopSize} share a write with their neighbours; a {@code sync} frame gets a write of its
     * own; a {@code chopSize} frame is cut into writes of that size; a {@link Step.SendPart} is a write of its own.
     * Each frame gets the next key of {@code maskKeys}; the parts of one frame share their key.
     */
    public static List<Write> writes(Case c, java.util.function.IntSupplier maskKeys) {
        List<Write> writes = new ArrayList<>();
        ByteArrayOutputStream coalesced = new ByteArrayOutputStream();
        Map<ClientFrame, byte[]> partsEncoded = new java.util.IdentityHashMap<>();
        for (Step step : c.steps()) {
            switch (step) {
                case Step.Send send -> {
                    ClientFrame f = send.frame();
                    byte[] bytes = f.encode(maskKeys.getAsInt());
                    if (f.chopSize() == 0 && !f.sync()) {
                        coalesced.writeBytes(bytes);
                    } else {
                        flush(coalesced, writes);
                        int chop = f.chopSize() > 0 ? f.chopSize() : bytes.length;
                        for (int i = 0; i < bytes.length; i += chop) {
                            writes.add(new Write(Arrays.copyOfRange(bytes, i, Math.min(bytes.length, i + chop)), null));
                        }
                    }
                }
                case Step.SendPart part -> {
                    flush(coalesced, writes);
                    byte[] whole = partsEncoded.computeIfAbsent(part.frame(), f -> f.encode(maskKeys.getAsInt()));
                    int header = FrameWriter.headerLength(part.frame().payload().length(), true);
                    writes.add(new Write(Arrays.copyOfRange(whole, part.payloadFrom() == 0 ? 0 : header + part.payloadFrom(),
                            header + part.payloadTo()), null));
                }
                case Step.Pause pause -> {
                    flush(coalesced, writes);
                    writes.add(new Write(null, pause));
                }
            }
        }
        flush(coalesced, writes);
        return writes;
    }

    private static void flush(ByteArrayOutputStream coalesced, List<Write> writes) {
        if (coalesced.size() > 0) {
            writes.add(new Write(coalesced.toByteArray(), null));
            coalesced.reset();
        }
    }

    // ------------------------------------------------------------------------------------------------ the table

    private static final List<Case> ALL = build();

    /** Every ported case, in Autobahn's order. */
    public static List<Case> all() {
        return ALL;
    }

    /** The case with this id, e.g. {@code "6.4.1"}. */
    public static Case byId(String id) {
        return ALL.stream().filter(c -> c.id().equals(id)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no case " + id));
    }

    /** How many cases each section has, e.g. {@code {1=16, 2=11, …}}. */
    public static Map<Integer, Integer> countBySection() {
        Map<Integer, Integer> counts = new LinkedHashMap<>();
        for (Case c : ALL) counts.merge(c.section(), 1, Integer::sum);
        return counts;
    }

    private static final int CONT = 0, TEXT = 1, BINARY = 2, CLOSE = 8, PING = 9, PONG = 10;
    private static final String HELLO = "Hello, world!";
    private static final int NORMAL = 1000, PROTOCOL_ERROR = 1002, INVALID_PAYLOAD = 1007;

    private static List<Case> build() {
        List<Case> cases = new ArrayList<>();
        section1(cases);
        section2(cases);
        section3(cases);
        section4(cases);
        section5(cases);
        section6(cases);
        section7(cases);
        section9(cases);
        section10(cases);
        return List.copyOf(cases);
    }

    // 1 Framing: text and binary messages at the length encoding boundaries.
    private static void section1(List<Case> cases) {
        int[] lengths = {0, 125, 126, 127, 128, 65535, 65536};
        for (int i = 0; i < lengths.length; i++) {
            Payload p = Payload.repeat("*", lengths[i]);
            cases.add(echo("1.1." + (i + 1), "Send text message with payload " + lengths[i] + ".",
                    steps().send(frame(TEXT, true, p)), Reply.text(p)));
        }
        Payload p = Payload.repeat("*", 65536);
        cases.add(echo("1.1.8", "Send text message message with payload of length 65536. Sent out data in chops of 997 octets.",
                steps().send(frame(TEXT, true, p).chopped(997)), Reply.text(p)));
        for (int i = 0; i < lengths.length; i++) {
            Payload b = Payload.repeatHex("fe", lengths[i]);
            cases.add(echo("1.2." + (i + 1), "Send binary message with payload " + lengths[i] + ".",
                    steps().send(frame(BINARY, true, b)), Reply.binary(b)));
        }
        Payload b = Payload.repeatHex("fe", 65536);
        cases.add(echo("1.2.8", "Send binary message message with payload of length 65536. Sent out data in chops of 997 octets.",
                steps().send(frame(BINARY, true, b).chopped(997)), Reply.binary(b)));
    }

    // 2 Pings/Pongs.
    private static void section2(List<Case> cases) {
        cases.add(echo("2.1", "Send ping without payload.", steps().send(frame(PING, true, Payload.EMPTY)),
                Reply.pong(Payload.EMPTY)));
        Payload hello = Payload.utf8(HELLO);
        cases.add(echo("2.2", "Send ping with small text payload.", steps().send(frame(PING, true, hello)), Reply.pong(hello)));
        Payload bin = Payload.hex("00fffefdfcfb00ff");
        cases.add(echo("2.3", "Send ping with small binary (non UTF-8) payload.", steps().send(frame(PING, true, bin)),
                Reply.pong(bin)));
        Payload p125 = Payload.repeatHex("fe", 125);
        cases.add(echo("2.4", "Send ping with binary payload of 125 octets.", steps().send(frame(PING, true, p125)),
                Reply.pong(p125)));
        cases.add(failed("2.5", "Send ping with binary payload of 126 octets.",
                steps().send(frame(PING, true, Payload.repeatHex("fe", 126)))));
        cases.add(echo("2.6", "Send ping with binary payload of 125 octets, send in octet-wise chops.",
                steps().send(frame(PING, true, p125).chopped(1)), Reply.pong(p125)));
        cases.add(echo("2.7", "Send unsolicited pong without payload. Verify nothing is received. Clean close with normal code.",
                steps().send(frame(PONG, true, Payload.EMPTY))));
        Payload unsolicited = Payload.utf8("unsolicited pong payload");
        cases.add(echo("2.8", "Send unsolicited pong with payload. Verify nothing is received. Clean close with normal code.",
                steps().send(frame(PONG, true, unsolicited))));
        Payload ping = Payload.utf8("ping payload");
        cases.add(echo("2.9", "Send unsolicited pong with payload. Send ping with payload. Verify pong for ping is received.",
                steps().send(frame(PONG, true, unsolicited)).send(frame(PING, true, ping)), Reply.pong(ping)));
        for (int chop : new int[]{0, 1}) {
            Steps s = steps();
            List<Reply> pongs = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                Payload p = Payload.utf8("payload-" + i);
                s.send(frame(PING, true, p).chopped(chop));
                pongs.add(Reply.pong(p));
            }
            cases.add(echo(chop == 0 ? "2.10" : "2.11",
                    "Send 10 Pings with payload." + (chop == 1 ? " Send out octets in octet-wise chops." : ""),
                    s, pongs.toArray(Reply[]::new)));
        }
    }

    // 3 Reserved bits: RSV must be 0 without a negotiated extension.
    private static void section3(List<Case> cases) {
        Payload hello = Payload.utf8(HELLO);
        cases.add(failed("3.1", "Send small text message with RSV = 1.", steps().send(frame(TEXT, true, hello).withRsv(1))));
        cases.add(failedAfter("3.2", "Send small text message, then send again with RSV = 2, then send Ping.",
                steps().send(frame(TEXT, true, hello)).send(frame(TEXT, true, hello).withRsv(2)).send(frame(PING, true, Payload.EMPTY)),
                Reply.text(hello)));
        cases.add(failedAfter("3.3", "Send small text message, then send again with RSV = 3, then send Ping. Octets are sent in frame-wise chops.",
                steps().send(frame(TEXT, true, hello).synced()).send(frame(TEXT, true, hello).withRsv(3).synced())
                        .send(frame(PING, true, Payload.EMPTY).synced()),
                Reply.text(hello)));
        cases.add(failedAfter("3.4", "Send small text message, then send again with RSV = 4, then send Ping. Octets are sent in octet-wise chops.",
                steps().send(frame(TEXT, true, hello).chopped(1)).send(frame(TEXT, true, hello).withRsv(4).chopped(1))
                        .send(frame(PING, true, Payload.EMPTY).chopped(1)),
                Reply.text(hello)));
        cases.add(failed("3.5", "Send small binary message with RSV = 5.",
                steps().send(frame(BINARY, true, Payload.hex("00fffefdfcfb00ff")).withRsv(5))));
        // Autobahn's description says "Ping", but the case sends opcode 2; the table sends what Autobahn sends.
        cases.add(failed("3.6", "Send Ping with RSV = 6.", steps().send(frame(BINARY, true, hello).withRsv(6))));
        cases.add(failed("3.7", "Send Close with RSV = 7.", steps().send(frame(CLOSE, true, Payload.EMPTY).withRsv(7))));
    }

    // 4 Opcodes: reserved non-control (3-7) and control (11-15) opcodes.
    private static void section4(List<Case> cases) {
        for (int group = 1; group <= 2; group++) {
            String kind = group == 1 ? "non-control" : "control";
            int base = group == 1 ? 3 : 11;
            String prefix = "4." + group + ".";
            Payload hello = Payload.utf8(HELLO);
            Payload reserved = Payload.utf8("reserved opcode payload");
            cases.add(failed(prefix + 1, "Send frame with reserved " + kind + " Opcode = " + base + ".",
                    steps().send(frame(base, true, Payload.EMPTY))));
            cases.add(failed(prefix + 2, "Send frame with reserved " + kind + " Opcode = " + (base + 1) + " and non-empty payload.",
                    steps().send(frame(base + 1, true, reserved))));
            cases.add(failedAfter(prefix + 3, "Send small text message, then send frame with reserved " + kind
                            + " Opcode = " + (base + 2) + ", then send Ping.",
                    steps().send(frame(TEXT, true, hello)).send(frame(base + 2, true, Payload.EMPTY)).send(frame(PING, true, Payload.EMPTY)),
                    Reply.text(hello)));
            cases.add(failedAfter(prefix + 4, "Send small text message, then send frame with reserved " + kind
                            + " Opcode = " + (base + 3) + " and non-empty payload, then send Ping.",
                    steps().send(frame(TEXT, true, hello)).send(frame(base + 3, true, hello)).send(frame(PING, true, Payload.EMPTY)),
                    Reply.text(hello)));
            cases.add(failedAfter(prefix + 5, "Send small text message, then send frame with reserved " + kind
                            + " Opcode = " + (base + 4) + " and non-empty payload, then send Ping.",
                    steps().send(frame(TEXT, true, hello).chopped(1)).send(frame(base + 4, true, hello).chopped(1))
                            .send(frame(PING, true, Payload.EMPTY).chopped(1)),
                    Reply.text(hello)));
        }
    }

    // 5 Fragmentation.
    private static void section5(List<Case> cases) {
        Payload f1 = Payload.utf8("fragment1"), f2 = Payload.utf8("fragment2");
        cases.add(failed("5.1", "Send Ping fragmented into 2 fragments.",
                steps().send(frame(PING, false, f1)).send(frame(CONT, true, f2))));
        cases.add(failed("5.2", "Send Pong fragmented into 2 fragments.",
                steps().send(frame(PONG, false, f1)).send(frame(CONT, true, f2))));
        Payload joined = Payload.utf8("fragment1fragment2");
        String[] delivery = {"", ", octets are sent in frame-wise chops", ", octets are sent in octet-wise chops"};
        for (int d = 0; d < 3; d++) {
            cases.add(echo("5." + (3 + d), "Send text Message fragmented into 2 fragments" + delivery[d] + ".",
                    steps().send(deliver(frame(TEXT, false, f1), d)).send(deliver(frame(CONT, true, f2), d)),
                    Reply.text(joined)));
        }
        Payload ping = Payload.utf8("ping payload");
        for (int d = 0; d < 3; d++) {
            cases.add(echo("5." + (6 + d), "Send text Message fragmented into 2 fragments, one ping with payload in-between" + delivery[d] + ".",
                    steps().send(deliver(frame(TEXT, false, f1), d)).send(deliver(frame(PING, true, ping), d))
                            .send(deliver(frame(CONT, true, f2), d)),
                    Reply.pong(ping), Reply.text(joined)));
        }
        Payload nonCont = Payload.utf8("non-continuation payload"), hello = Payload.utf8(HELLO);
        String[] chop = {"sent in one chop", "sent in per-frame chops", "sent in octet-wise chops"};
        for (int d = 0; d < 3; d++) {
            cases.add(failed("5." + (9 + d), "Send unfragmented Text Message after Continuation Frame with FIN = true, where there is nothing to continue, " + chop[d] + ".",
                    steps().send(deliver(frame(CONT, true, nonCont), d)).send(deliver(frame(TEXT, true, hello), d))));
        }
        for (int d = 0; d < 3; d++) {
            cases.add(failed("5." + (12 + d), "Send unfragmented Text Message after Continuation Frame with FIN = false, where there is nothing to continue, " + chop[d] + ".",
                    steps().send(deliver(frame(CONT, false, nonCont), d)).send(deliver(frame(TEXT, true, hello), d))));
        }
        Payload f3 = Payload.utf8("fragment3"), f4 = Payload.utf8("fragment4");
        cases.add(failedAfter("5.15", "Send text Message fragmented into 2 fragments, then Continuation Frame with FIN = false where there is nothing to continue, then unfragmented Text Message, all sent in one chop.",
                steps().send(frame(TEXT, false, f1)).send(frame(CONT, true, f2)).send(frame(CONT, false, f3)).send(frame(TEXT, true, f4)),
                Reply.text(joined)));
        for (boolean fin : new boolean[]{false, true}) {
            Steps s = steps();
            for (int i = 0; i < 2; i++) {
                s.send(frame(CONT, fin, f1)).send(frame(TEXT, false, f2)).send(frame(CONT, true, f3));
            }
            cases.add(failed(fin ? "5.17" : "5.16", "Repeated 2x: Continuation Frame with FIN = " + fin
                    + " (where there is nothing to continue), then text Message fragmented into 2 fragments.", s));
        }
        cases.add(failed("5.18", "Send text Message fragmented into 2 fragments, with both frame opcodes set to text, sent in one chop.",
                steps().send(frame(TEXT, false, f1)).send(frame(TEXT, true, f2))));
        for (boolean sync : new boolean[]{false, true}) {
            Payload[] f = new Payload[5];
            for (int i = 0; i < 5; i++) f[i] = Payload.utf8("fragment" + (i + 1));
            Payload p1 = Payload.utf8("pongme 1!"), p2 = Payload.utf8("pongme 2!");
            Steps s = steps()
                    .send(sync(frame(TEXT, false, f[0]), sync)).send(sync(frame(CONT, false, f[1]), sync))
                    .send(sync(frame(PING, true, p1), sync)).pause("A", Duration.ofSeconds(1))
                    .send(sync(frame(CONT, false, f[2]), sync)).send(sync(frame(CONT, false, f[3]), sync))
                    .send(sync(frame(PING, true, p2), sync)).send(sync(frame(CONT, true, f[4]), sync));
            cases.add(echo(sync ? "5.20" : "5.19", sync
                            ? "Same as Case 5.19, but send all frames with SYNC = True."
                            : "A fragmented text message is sent in multiple frames. After sending the first 2 frames of the text message, a Ping is sent. Then we wait 1s, then we send 2 more text fragments, another Ping and then the final text fragment.",
                    s, Reply.pong(p1), Reply.pong(p2), Reply.text(Payload.utf8("fragment1fragment2fragment3fragment4fragment5"))));
        }
    }

    // 6 UTF-8 handling.
    private static void section6(List<Case> cases) {
        cases.add(echo("6.1.1", "Send text message of length 0.", steps().send(frame(TEXT, true, Payload.EMPTY)),
                Reply.text(Payload.EMPTY)));
        cases.add(echo("6.1.2", "Send fragmented text message, 3 fragments each of length 0.",
                steps().send(frame(TEXT, false, Payload.EMPTY)).send(frame(CONT, false, Payload.EMPTY)).send(frame(CONT, true, Payload.EMPTY)),
                Reply.text(Payload.EMPTY)));
        Payload middle = Payload.utf8("middle frame payload");
        cases.add(echo("6.1.3", "Send fragmented text message, 3 fragments, first and last of length 0, middle non-empty.",
                steps().send(frame(TEXT, false, Payload.EMPTY)).send(frame(CONT, false, middle)).send(frame(CONT, true, Payload.EMPTY)),
                Reply.text(middle)));

        Payload hello = Payload.utf8("Hello-µ@ßöäüàá-UTF-8!!");
        cases.add(echo("6.2.1", "Send a valid UTF-8 text message in one fragment.", steps().send(frame(TEXT, true, hello)),
                Reply.text(hello)));
        cases.add(echo("6.2.2", "Send a valid UTF-8 text message in two fragments, fragmented on UTF-8 code point boundary.",
                steps().send(frame(TEXT, false, Payload.utf8("Hello-µ@ßöä"))).send(frame(CONT, true, Payload.utf8("üàá-UTF-8!!"))),
                Reply.text(hello)));
        cases.add(echo("6.2.3", "Send a valid UTF-8 text message in fragments of 1 octet, resulting in frames ending on positions which are not code point ends.",
                steps().sendAll(fragments(TEXT, hello, 1)), Reply.text(hello)));
        Payload kosme = Payload.hex("cebae1bdb9cf83cebcceb5");
        cases.add(echo("6.2.4", "Send a valid UTF-8 text message in fragments of 1 octet, resulting in frames ending on positions which are not code point ends.",
                steps().sendAll(fragments(TEXT, kosme, 1)), Reply.text(kosme)));

        Payload invalid = Payload.hex("cebae1bdb9cf83cebcceb5eda080656469746564");
        cases.add(failed("6.3.1", "Send invalid UTF-8 text message unfragmented.", steps().send(frame(TEXT, true, invalid)),
                INVALID_PAYLOAD));
        cases.add(failed("6.3.2", "Send invalid UTF-8 text message in fragments of 1 octet, resulting in frames ending on positions which are not code point ends.",
                steps().sendAll(fragments(TEXT, invalid, 1)), INVALID_PAYLOAD));

        // 6.4: fail fast. PART2 makes the message invalid (F4 90 80 80 would be U+110000); the server must fail
        // the connection before Autobahn's second wait ends, without waiting for PART3 or the end of the message.
        Payload whole = Payload.hex("cebae1bdb9cf83cebcceb5" + "f4908080" + "656469746564");
        int[][] splits = {{11, 15}, {12, 13}};
        for (int k = 0; k < 2; k++) {
            int a = splits[k][0], b = splits[k][1];
            String parts = " PART1 = " + whole.slice(0, a) + ", PART2 = " + whole.slice(a, b) + ", PART3 = " + whole.slice(b, whole.length());
            cases.add(new Case("6.4." + (1 + k), (k == 0
                    ? "Send invalid UTF-8 text message in 3 fragments (frames). First frame payload is valid, then wait, then 2nd frame which contains the payload making the sequence invalid, then wait, then 3rd frame with rest."
                    : "Same as Case 6.4.1, but in 2nd frame, we send only up to and including the octet making the complete payload invalid.") + parts,
                    "The first frame is accepted, we expect to timeout on the first wait. The 2nd frame should be rejected immediately (fail fast on UTF-8).",
                    steps().send(frame(TEXT, false, whole.slice(0, a))).pause("A", Duration.ofSeconds(1))
                            .send(frame(CONT, false, whole.slice(a, b))).pause("B", Duration.ofSeconds(1))
                            .send(frame(CONT, true, whole.slice(b, whole.length()))).list(),
                    new Expected.Failed(INVALID_PAYLOAD, List.of(), false, "B"), false));
        }
        for (int k = 0; k < 2; k++) {
            int a = splits[k][0], b = splits[k][1];
            ClientFrame one = frame(TEXT, true, whole);
            cases.add(new Case("6.4." + (3 + k), "Same as Case 6.4." + (1 + k) + ", but we send message not in 3 frames, but in 3 chops of the same message frame.",
                    "The first chop is accepted, we expect to timeout on the first wait. The 2nd chop should be rejected immediately (fail fast on UTF-8).",
                    List.of(new Step.SendPart(one, 0, a), new Step.Pause("A", Duration.ofSeconds(1)),
                            new Step.SendPart(one, a, b), new Step.Pause("B", Duration.ofSeconds(1)),
                            new Step.SendPart(one, b, whole.length())),
                    new Expected.Failed(INVALID_PAYLOAD, List.of(), false, "B"), false));
        }

        // 6.5-6.23: Markus Kuhn's UTF-8 decoder stress test, as Autobahn's createUtf8TestSequences() builds it, one
        // unfragmented text message per sequence.
        int sub = 5;
        for (Utf8Group group : utf8Groups()) {
            int j = 1;
            for (Utf8Sequence seq : group.sequences()) {
                String id = "6." + sub + "." + j++;
                Payload p = Payload.of(seq.bytes());
                if (seq.valid()) {
                    cases.add(echo(id, group.name() + ": send a text message with payload which is valid UTF-8 in one fragment. Payload: " + p,
                            steps().send(frame(TEXT, true, p)), Reply.text(p)));
                } else {
                    cases.add(failed(id, group.name() + ": send a text message with payload which is not valid UTF-8 in one fragment. Payload: " + p,
                            steps().send(frame(TEXT, true, p)), INVALID_PAYLOAD));
                }
            }
            sub++;
        }
    }

    /** A group of 6.x cases: its title and the byte sequences with their validity. */
    record Utf8Group(String name, List<Utf8Sequence> sequences) {
    }

    record Utf8Sequence(boolean valid, byte[] bytes) {
    }

    /** Autobahn's case6_x_x.createUtf8TestSequences(), in the same order (Python's exclusive ranges kept). */
    static List<Utf8Group> utf8Groups() {
        List<Utf8Group> groups = new ArrayList<>();
        String kosme = "cebae1bdb9cf83cebcceb5";
        groups.add(group("Some valid UTF-8 sequences",
                ok("68656c6c6f24776f726c64"), ok("68656c6c6fc2a2776f726c64"), ok("68656c6c6fe282ac776f726c64"),
                ok("68656c6c6ff0a4ada2776f726c64"), ok(kosme)));
        List<Utf8Sequence> prefixes = new ArrayList<>();
        byte[] k = HexFormat.of().parseHex(kosme);
        for (int i = 1; i <= k.length; i++) {
            // valid exactly where the prefix ends on a code point boundary: after κ, ό, σ, μ, ε
            boolean boundary = i == 2 || i == 5 || i == 7 || i == 9 || i == 11;
            prefixes.add(new Utf8Sequence(boundary, Arrays.copyOf(k, i)));
        }
        groups.add(new Utf8Group("All prefixes of a valid UTF-8 string that contains multi-byte code points", prefixes));
        groups.add(group("First possible sequence of a certain length", ok("00"), ok("c280"), ok("e0a080"), ok("f0908080")));
        groups.add(group("First possible sequence length 5/6 (invalid codepoints)", bad("f888808080"), bad("fc8480808080")));
        groups.add(group("Last possible sequence of a certain length", ok("7f"), ok("dfbf"), ok("efbfbf"), ok("f48fbfbf")));
        groups.add(group("Last possible sequence length 4/5/6 (invalid codepoints)", bad("f7bfbfbf"), bad("fbbfbfbfbf"), bad("fdbfbfbfbfbf")));
        groups.add(group("Other boundary conditions", ok("ed9fbf"), ok("ee8080"), ok("efbfbd"), ok("f48fbfbf"), bad("f4908080")));
        StringBuilder allContinuations = new StringBuilder();
        for (int i = 0x80; i < 0xbf; i++) allContinuations.append(String.format("%02x", i));
        groups.add(group("Unexpected continuation bytes", bad("80"), bad("bf"), bad("80bf"), bad("80bf80"), bad("80bf80bf"),
                bad("80bf80bf80"), bad("80bf80bf80bf"), bad(allContinuations.toString())));
        List<Utf8Sequence> lonely = new ArrayList<>();
        int[][] ranges = {{0xc0, 0xdf}, {0xe0, 0xef}, {0xf0, 0xf7}, {0xf8, 0xfb}, {0xfc, 0xfd}};
        for (int[] r : ranges) {
            StringBuilder s = new StringBuilder();
            for (int i = r[0]; i < r[1]; i++) s.append(String.format("%02x20", i));
            lonely.add(bad(s.toString()));
        }
        groups.add(new Utf8Group("Lonely start characters", lonely));
        String[] missing = {"c0", "e080", "f08080", "f8808080", "fc80808080", "df", "efbf", "f7bfbf", "fbbfbfbf", "fdbfbfbfbf"};
        groups.add(group("Sequences with last continuation byte missing", Arrays.stream(missing).map(AutobahnCases::bad).toArray(Utf8Sequence[]::new)));
        groups.add(group("Concatenation of incomplete sequences", bad(String.join("", missing))));
        groups.add(group("Impossible bytes", bad("fe"), bad("ff"), bad("fefeffff")));
        groups.add(group("Examples of an overlong ASCII character", bad("c0af"), bad("e080af"), bad("f08080af"), bad("f8808080af"), bad("fc80808080af")));
        groups.add(group("Maximum overlong sequences", bad("c1bf"), bad("e09fbf"), bad("f08fbfbf"), bad("f887bfbfbf"), bad("fc83bfbfbfbf")));
        groups.add(group("Overlong representation of the NUL character", bad("c080"), bad("e08080"), bad("f0808080"), bad("f880808080"), bad("fc8080808080")));
        groups.add(group("Single UTF-16 surrogates", bad("eda080"), bad("edadbf"), bad("edae80"), bad("edafbf"), bad("edb080"), bad("edbe80"), bad("edbfbf")));
        groups.add(group("Paired UTF-16 surrogates", bad("eda080edb080"), bad("eda080edbfbf"), bad("edadbfedb080"), bad("edadbfedbfbf"),
                bad("edae80edb080"), bad("edae80edbfbf"), bad("edafbfedb080"), bad("edafbfedbfbf")));
        List<Utf8Sequence> nonChars = new ArrayList<>(List.of(ok("efbfbe"), ok("efbfbf")));
        for (String z1 : new String[]{"f0", "f1", "f2", "f3", "f4"}) {
            for (String z2 : new String[]{"8f", "9f", "af", "bf"}) {
                if (z1.equals("f4") && !z2.equals("8f")) continue; // above U+10FFFF
                for (String z3 : new String[]{"be", "bf"}) {
                    String zz = z1 + z2 + "bf" + z3;
                    if (!zz.equals("f08fbfbe") && !zz.equals("f08fbfbf")) nonChars.add(ok(zz)); // overlong
                }
            }
        }
        groups.add(new Utf8Group("Non-character code points (valid UTF-8)", nonChars));
        groups.add(group("Unicode specials (i.e. replacement char)", ok("efbfb9"), ok("efbfba"), ok("efbfbb"), ok("efbfbc"),
                ok("efbfbd"), ok("efbfbe"), ok("efbfbf")));
        return groups;
    }

    private static Utf8Group group(String name, Utf8Sequence... sequences) {
        return new Utf8Group(name, List.of(sequences));
    }

    private static Utf8Sequence ok(String hex) {
        return new Utf8Sequence(true, HexFormat.of().parseHex(hex));
    }

    private static Utf8Sequence bad(String hex) {
        return new Utf8Sequence(false, HexFormat.of().parseHex(hex));
    }

    // 7 Close handling.
    private static void section7(List<Case> cases) {
        Payload hw = Payload.utf8("Hello World!");
        cases.add(closed("7.1.1", "Send a message followed by a close frame",
                steps().send(frame(TEXT, true, hw)).send(close(NORMAL, "")), NORMAL, Reply.text(hw)));
        cases.add(closed("7.1.2", "Send two close frames",
                steps().send(close(NORMAL, "")).send(frame(CLOSE, true, Payload.EMPTY)), NORMAL));
        cases.add(closed("7.1.3", "Send a ping after close message",
                steps().send(close(NORMAL, "")).send(frame(PING, true, Payload.EMPTY)), NORMAL));
        cases.add(closed("7.1.4", "Send text message after sending a close frame.",
                steps().send(close(NORMAL, "")).send(frame(TEXT, true, hw)), NORMAL));
        cases.add(closed("7.1.5", "Send message fragment1 followed by close then fragment",
                steps().send(frame(TEXT, false, Payload.utf8("fragment1"))).send(close(NORMAL, ""))
                        .send(frame(CONT, true, Payload.utf8("fragment2"))), NORMAL));
        Payload big = Payload.repeat("BAsd7&jh23", 256 * 1024);
        cases.add(new Case("7.1.6", "Send 256K message followed by close then a ping",
                "Informational: depends on implementation defined close behavior. Streamlab processes frames in order: both messages are echoed before the close.",
                steps().send(frame(TEXT, true, big)).send(frame(TEXT, true, hw)).send(close(NORMAL, ""))
                        .send(frame(PING, true, Payload.EMPTY)).list(),
                new Expected.Closed(List.of(Reply.text(big), Reply.text(hw)), NORMAL), true));

        cases.add(closed("7.3.1", "Send a close frame with payload length 0 (no close code, no close reason)",
                steps().send(frame(CLOSE, true, Payload.EMPTY)), NORMAL));
        cases.add(failed("7.3.2", "Send a close frame with payload length 1", steps().send(frame(CLOSE, true, Payload.utf8("a")))));
        cases.add(closed("7.3.3", "Send a close frame with payload length 2 (regular close with a code)",
                steps().send(close(NORMAL, "")), NORMAL));
        cases.add(closed("7.3.4", "Send a close frame with close code and close reason",
                steps().send(close(NORMAL, "Hello World!")), NORMAL));
        cases.add(closed("7.3.5", "Send a close frame with close code and close reason of maximum length (123)",
                steps().send(close(NORMAL, "*".repeat(123))), NORMAL));
        cases.add(failed("7.3.6", "Send a close frame with close code and close reason which is too long (124) - total frame payload 126 octets",
                steps().send(close(NORMAL, "*".repeat(124)))));
        byte[] badReason = HexFormat.of().parseHex("03e8" + "cebae1bdb9cf83cebcceb5eda080656469746564");
        cases.add(failed("7.5.1", "Send a close frame with invalid UTF8 payload",
                steps().send(frame(CLOSE, true, Payload.of(badReason))), INVALID_PAYLOAD));
        int[] valid = {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999};
        for (int i = 0; i < valid.length; i++) {
            cases.add(closed("7.7." + (i + 1), "Send close with valid close code " + valid[i], steps().send(close(valid[i], "")), valid[i]));
        }
        int[] invalidCodes = {0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999};
        for (int i = 0; i < invalidCodes.length; i++) {
            cases.add(failed("7.9." + (i + 1), "Send close with invalid close code " + invalidCodes[i],
                    steps().send(close(invalidCodes[i], ""))));
        }
        int[] outOfRange = {5000, 65535};
        for (int i = 0; i < outOfRange.length; i++) {
            cases.add(new Case("7.13." + (i + 1), "Send close with close code " + outOfRange[i],
                    "Informational: actual events are undefined by the spec. Streamlab fails the connection with 1002.",
                    steps().send(close(outOfRange[i], "")).list(),
                    new Expected.Failed(PROTOCOL_ERROR, List.of(), false, null), true));
        }
    }

    // 9 Limits/Performance: big messages, many fragments, small chops, many messages.
    private static void section9(List<Case> cases) {
        int[] sizes = {64 << 10, 256 << 10, 1 << 20, 4 << 20, 8 << 20, 16 << 20};
        for (int i = 0; i < sizes.length; i++) {
            Payload t = Payload.repeat("BAsd7&jh23", sizes[i]);
            cases.add(echo("9.1." + (i + 1), "Send text message message with payload of length " + sizes[i] + ".",
                    steps().send(frame(TEXT, true, t)), Reply.text(t)));
        }
        for (int i = 0; i < sizes.length; i++) {
            Payload b = Payload.repeatHex("00fe23faf0", sizes[i]);
            cases.add(echo("9.2." + (i + 1), "Send binary message message with payload of length " + sizes[i] + ".",
                    steps().send(frame(BINARY, true, b)), Reply.binary(b)));
        }
        int[] fragmentSizes = {64, 256, 1 << 10, 4 << 10, 16 << 10, 64 << 10, 256 << 10, 1 << 20, 4 << 20};
        Payload text4m = Payload.repeat("*", 4 << 20), bin4m = Payload.repeatHex("fe", 4 << 20);
        for (int i = 0; i < fragmentSizes.length; i++) {
            cases.add(echo("9.3." + (i + 1), "Send fragmented text message message with message payload of length 4 * 2**20 (4M). Sent out in fragments of " + fragmentSizes[i] + ".",
                    steps().sendAll(fragments(TEXT, text4m, fragmentSizes[i])), Reply.text(text4m)));
        }
        for (int i = 0; i < fragmentSizes.length; i++) {
            cases.add(echo("9.4." + (i + 1), "Send fragmented binary message message with message payload of length 4 * 2**20 (4M). Sent out in fragments of " + fragmentSizes[i] + ".",
                    steps().sendAll(fragments(BINARY, bin4m, fragmentSizes[i])), Reply.binary(bin4m)));
        }
        int[] chops = {64, 128, 256, 512, 1024, 2048};
        Payload text1m = Payload.repeat("BAsd7&jh23", 1 << 20), bin1m = Payload.repeatHex("00fe23faf0", 1 << 20);
        for (int i = 0; i < chops.length; i++) {
            cases.add(echo("9.5." + (i + 1), "Send text message message with payload of length 1 * 2**20 (1M). Sent out data in chops of " + chops[i] + " octets.",
                    steps().send(frame(TEXT, true, text1m).chopped(chops[i])), Reply.text(text1m)));
        }
        for (int i = 0; i < chops.length; i++) {
            cases.add(echo("9.6." + (i + 1), "Send binary message message with payload of length 1 * 2**20 (1M). Sent out data in chops of " + chops[i] + " octets.",
                    steps().send(frame(BINARY, true, bin1m).chopped(chops[i])), Reply.binary(bin1m)));
        }
        int[] lengths = {0, 16, 64, 256, 1024, 4096};
        for (int binary = 0; binary <= 1; binary++) {
            for (int i = 0; i < lengths.length; i++) {
                Payload p = binary == 1 ? Payload.repeatHex("fe", lengths[i]) : Payload.repeat("*", lengths[i]);
                Steps s = steps();
                Reply[] replies = new Reply[1000];
                for (int m = 0; m < 1000; m++) {
                    // Autobahn sends the next message when the previous echo arrived (a round trip each).
                    s.send(frame(binary == 1 ? BINARY : TEXT, true, p).synced());
                    replies[m] = binary == 1 ? Reply.binary(p) : Reply.text(p);
                }
                cases.add(echo("9." + (7 + binary) + "." + (i + 1), "Send 1000 " + (binary == 1 ? "binary" : "text")
                        + " messages of payload size " + lengths[i] + " to measure implementation/network RTT (round trip time) / latency.", s, replies));
            }
        }
    }

    // 10 Misc: a message auto-fragmented by the client.
    private static void section10(List<Case> cases) {
        Payload p = Payload.repeat("*", 65536);
        cases.add(echo("10.1.1", "Send text message with payload of length 65536 auto-fragmented with autoFragmentSize = 1300.",
                steps().sendAll(fragments(TEXT, p, 1300)), Reply.text(p)));
    }

    // ---------------------------------------------------------------------------------------------- builders

    private static ClientFrame frame(int opcode, boolean fin, Payload payload) {
        return new ClientFrame(opcode, fin, 0, payload, 0, false);
    }

    /** A Close frame: 2-byte code (any value, invalid ones included) and a UTF-8 reason. */
    static ClientFrame close(int code, String reason) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(code >>> 8);
        body.write(code);
        body.writeBytes(reason.getBytes(StandardCharsets.UTF_8));
        return frame(CLOSE, true, Payload.of(body.toByteArray()));
    }

    /** Autobahn's {@code sendMessage(payload, fragmentSize)}: first frame with the opcode, then continuations. */
    static List<ClientFrame> fragments(int opcode, Payload message, int size) {
        List<ClientFrame> frames = new ArrayList<>();
        int offset = 0;
        do {
            int end = Math.min(message.length(), offset + size);
            frames.add(frame(offset == 0 ? opcode : CONT, end == message.length(), message.slice(offset, end)));
            offset = end;
        } while (offset < message.length());
        return frames;
    }

    /** Delivery mode d of the 5.x triplets: 0 = one chop, 1 = frame-wise (sync), 2 = octet-wise chops. */
    private static ClientFrame deliver(ClientFrame f, int d) {
        return d == 1 ? f.synced() : d == 2 ? f.chopped(1) : f;
    }

    private static ClientFrame sync(ClientFrame f, boolean sync) {
        return sync ? f.synced() : f;
    }

    private static Steps steps() {
        return new Steps();
    }

    /** Step list builder. */
    private static final class Steps {
        private final List<Step> steps = new ArrayList<>();

        Steps send(ClientFrame f) {
            steps.add(new Step.Send(f));
            return this;
        }

        Steps sendAll(List<ClientFrame> frames) {
            frames.forEach(this::send);
            return this;
        }

        Steps pause(String label, Duration d) {
            steps.add(new Step.Pause(label, d));
            return this;
        }

        List<Step> list() {
            return steps;
        }
    }

    /** Replies, then the harness closes with 1000 and expects 1000 back. */
    private static Case echo(String id, String description, Steps steps, Reply... replies) {
        steps.send(close(NORMAL, ""));
        return new Case(id, description, "Echo / pong the messages and pings, nothing else; clean close with normal code.",
                steps.list(), new Expected.Closed(List.of(replies), NORMAL), false);
    }

    /** The case's own frames include the client's Close. */
    private static Case closed(String id, String description, Steps steps, int code, Reply... replies) {
        return new Case(id, description, "Clean close with code " + code + (replies.length > 0 ? " after the replies" : "") + ".",
                steps.list(), new Expected.Closed(List.of(replies), code), false);
    }

    private static Case failed(String id, String description, Steps steps) {
        return failed(id, description, steps, PROTOCOL_ERROR);
    }

    private static Case failed(String id, String description, Steps steps, int code) {
        return new Case(id, description, "The connection is failed immediately (" + code + ").", steps.list(),
                new Expected.Failed(code, List.of(), false, null), false);
    }

    /** Echo of the first messages (Autobahn OK), or none of them (NON-STRICT), then failed with 1002. */
    private static Case failedAfter(String id, String description, Steps steps, Reply... replies) {
        return new Case(id, description, "Echo for the first message(s) is received, but then the connection is failed immediately (1002).",
                steps.list(), new Expected.Failed(PROTOCOL_ERROR, List.of(replies), true, null), false);
    }
}
