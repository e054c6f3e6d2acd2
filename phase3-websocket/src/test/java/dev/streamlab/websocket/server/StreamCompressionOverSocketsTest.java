package dev.streamlab.websocket.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.phase3.Phase3Main;
import dev.streamlab.phase3.Phase3Server;
import dev.streamlab.phase3.SampleServer;
import dev.streamlab.shared.json.JsonParser;
import dev.streamlab.stream.ws.SegmentHeader;
import dev.streamlab.websocket.frame.FrameWriter;
import dev.streamlab.websocket.frame.WsOpcode;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * permessage-deflate on the real stream: {@code /ws/stream}, wired as {@code ./lab run phase3} wires it
 * ({@link Phase3Main#webSockets}), negotiated by a raw-socket client (the JDK's WebSocket client negotiates no
 * extension and hides RSV1). The server compresses where it pays and nowhere else: every JSON control reply arrives
 * with RSV1 set on its first frame (RFC 7692 §6: "compressed" bit), no frame of any binary media message has it, and
 * the media bytes are fMP4 as they are (the 24-byte header, then {@code ftyp} or {@code moof}).
 */
class StreamCompressionOverSocketsTest {
    private static final String OFFER = "permessage-deflate; client_max_window_bits"; // what Chromium offers
    private static final String HELLO = "{\"type\":\"hello\",\"codecs\":[\"avc1.64001e\",\"mp4a.40.2\"]}";
    private static final int MEDIA_WANTED = 6;

    static Phase3Server server;

    @BeforeAll
    static void start() throws IOException {
        server = SampleServer.start();
        server.setUpgradeHandler(Phase3Main.webSockets(server));
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    /** One frame as it came off the wire (server frames are unmasked, RFC 6455 §5.1). */
    record WireFrame(boolean fin, boolean rsv1, int opcode, byte[] payload) {}

    static WireFrame readFrame(DataInputStream in) throws IOException {
        int b0 = in.readUnsignedByte();
        int b1 = in.readUnsignedByte();
        assertEquals(0, b1 & 0x80, "a server frame is never masked");
        long length = b1 & 0x7F;
        if (length == 126) length = in.readUnsignedShort();
        else if (length == 127) length = in.readLong();
        assertTrue(length < 16 << 20, "frame of " + length + " bytes");
        byte[] payload = new byte[(int) length];
        in.readFully(payload);
        assertEquals(0, b0 & 0x30, "RSV2 and RSV3 are never set");
        return new WireFrame((b0 & 0x80) != 0, (b0 & 0x40) != 0, b0 & 0x0F, payload);
    }

    /** A message: its type, whether its first frame had RSV1, every frame's RSV1, and its (inflated) payload. */
    record Message(int opcode, boolean compressed, List<Boolean> frameRsv1, byte[] payload) {}

    @Test
    void controlRepliesArriveCompressedAndMediaNeverDoes() throws Exception {
        WsTestServer.Upgraded u = WsTestServer.connect(server, "/ws/stream", OFFER);
        try (Socket s = u.socket()) {
            s.setSoTimeout(20_000); // a bound on a silent server, not a timing assertion
            String agreed = AutobahnDeflateOverSocketsTest.extensionHeader(u.head());
            assertNotNull(agreed, "the server agreed to no extension: " + u.head());
            assertTrue(agreed.startsWith("permessage-deflate"), agreed);
            boolean resetPerMessage = agreed.contains("server_no_context_takeover");

            OutputStream out = s.getOutputStream();
            for (String json : List.of(HELLO, "{\"type\":\"open\",\"video\":\"sample-30s-360p-h264-aac\"}",
                    "{\"type\":\"no-such-type\"}")) {
                out.write(AutobahnDeflateOverSocketsTest.clientFrame(true, 0, WsOpcode.TEXT.code(),
                        json.getBytes(StandardCharsets.UTF_8)));
            }
            out.flush();

            DataInputStream in = new DataInputStream(s.getInputStream());
            Inflater inflater = new Inflater(true); // raw DEFLATE, the server's window (15 bits) by default
            List<Message> texts = new ArrayList<>();
            List<Message> binaries = new ArrayList<>();
            try {
                int media = 0;
                boolean meta = false;
                boolean error = false;
                while (media < MEDIA_WANTED || !meta || !error) {
                    Message m = readMessage(in, inflater, resetPerMessage);
                    if (m == null) continue; // a control frame (ping)
                    if (m.opcode() == WsOpcode.TEXT.code()) {
                        texts.add(m);
                        String type = (String) JsonParser.parseObject(new String(m.payload(), StandardCharsets.UTF_8),
                                1 << 20).get("type");
                        meta |= "meta".equals(type);
                        error |= "error".equals(type);
                    } else {
                        binaries.add(m);
                        if (SegmentHeader.decode(ByteBuffer.wrap(m.payload())).kind() == SegmentHeader.Kind.MEDIA) {
                            media++;
                        }
                    }
                }
            } finally {
                inflater.end();
            }

            for (Message t : texts) {
                Map<String, Object> json = JsonParser.parseObject(new String(t.payload(), StandardCharsets.UTF_8), 1 << 20);
                assertTrue(t.compressed(), "the control reply " + json.get("type") + " arrives with RSV1 set");
                assertFalse(t.frameRsv1().subList(1, t.frameRsv1().size()).contains(true),
                        "RSV1 only on a message's first frame (RFC 7692 §6.1)");
            }
            for (Message b : binaries) {
                assertFalse(b.frameRsv1().contains(true), "a media message never has RSV1: " + b.frameRsv1());
                SegmentHeader h = SegmentHeader.decode(ByteBuffer.wrap(b.payload()));
                String box = new String(b.payload(), SegmentHeader.LENGTH + 4, 4, StandardCharsets.US_ASCII);
                assertEquals(h.kind() == SegmentHeader.Kind.INIT ? "ftyp" : "moof", box, "fMP4 as it is: " + h);
            }
            assertEquals(2, binaries.stream().filter(b -> SegmentHeader.decode(ByteBuffer.wrap(b.payload())).kind()
                    == SegmentHeader.Kind.INIT).count(), "a video and an audio init segment");
            out.write(AutobahnDeflateOverSocketsTest.clientFrame(true, 0, WsOpcode.CLOSE.code(),
                    WsServerTestBytes.of(FrameWriter.closePayload(1000, ""))));
        }
    }

    /** The next data message (inflated when compressed), or null for a control frame. */
    static Message readMessage(DataInputStream in, Inflater inflater, boolean resetPerMessage)
            throws IOException, DataFormatException {
        WireFrame first = readFrame(in);
        if (first.opcode() >= 0x8) {
            assertFalse(first.rsv1(), "a control frame never has RSV1 (RFC 7692 §6.1)");
            assertTrue(first.opcode() != WsOpcode.CLOSE.code(), "the server closed the stream");
            return null;
        }
        List<Boolean> rsv1 = new ArrayList<>(List.of(first.rsv1()));
        ByteArrayOutputStream payload = new ByteArrayOutputStream();
        payload.writeBytes(first.payload());
        for (WireFrame f = first; !f.fin(); ) {
            f = readFrame(in);
            assertEquals(WsOpcode.CONTINUATION.code(), f.opcode(), "no interleaved message inside a fragmented one");
            rsv1.add(f.rsv1());
            payload.writeBytes(f.payload());
        }
        byte[] bytes = payload.toByteArray();
        if (first.rsv1()) {
            // RFC 7692 §7.2.2: append the 00 00 ff ff the sender removed, then inflate.
            if (resetPerMessage) inflater.reset();
            inflater.setInput(concat(bytes, new byte[] {0, 0, (byte) 0xFF, (byte) 0xFF}));
            ByteArrayOutputStream inflated = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            while (true) {
                int n = inflater.inflate(buf);
                inflated.write(buf, 0, n);
                if (n > 0) continue;
                if (inflater.needsInput() || inflater.finished()) break;
                if (inflater.needsDictionary()) throw new AssertionError("permessage-deflate has no preset dictionary");
            }
            bytes = inflated.toByteArray();
        }
        return new Message(first.opcode(), first.rsv1(), rsv1, bytes);
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
