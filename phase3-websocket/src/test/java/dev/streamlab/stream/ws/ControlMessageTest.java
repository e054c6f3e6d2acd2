package dev.streamlab.stream.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The control messages as data, and the binary header's bytes. */
class ControlMessageTest {
    @Test
    void parsesEveryCommand() {
        assertEquals(new ControlMessage.Hello(List.of("avc1.64001e")),
                ControlMessage.parse("{\"type\":\"hello\",\"codecs\":[\"avc1.64001e\"]}"));
        assertEquals(new ControlMessage.Open("a b"), ControlMessage.parse("{\"type\":\"open\",\"video\":\"a b\"}"));
        assertEquals(new ControlMessage.Play(), ControlMessage.parse("{\"type\":\"play\"}"));
        assertEquals(new ControlMessage.Pause(), ControlMessage.parse("{\"type\":\"pause\"}"));
        assertEquals(new ControlMessage.Seek(12.5), ControlMessage.parse("{\"type\":\"seek\",\"t\":12.5}"));
        assertEquals(new ControlMessage.Seek(3), ControlMessage.parse("{\"type\":\"seek\",\"t\":3}"));
        assertEquals(new ControlMessage.Resync(), ControlMessage.parse("{\"type\":\"resync\"}"));
        assertEquals(new ControlMessage.Stats(4.5, 10), ControlMessage.parse("{\"type\":\"stats\",\"buffered_s\":4.5,\"t\":10}"));
        assertTrue(Double.isNaN(((ControlMessage.Stats) ControlMessage.parse("{\"type\":\"stats\",\"buffered_s\":1}"))
                .currentTime()));
        assertEquals(new ControlMessage.Stats(4.5, 10, 600_000),
                ControlMessage.parse("{\"type\":\"stats\",\"buffered_s\":4.5,\"t\":10,\"rx_bps\":600000}"));
        assertEquals(new ControlMessage.Stats(4.5, 10, Double.NaN, 7, 2),
                ControlMessage.parse("{\"type\":\"stats\",\"buffered_s\":4.5,\"t\":10,\"dropped\":7,\"stalls\":2}"));
        ControlMessage.Stats without = (ControlMessage.Stats) ControlMessage.parse("{\"type\":\"stats\",\"buffered_s\":1}");
        assertEquals(ControlMessage.Stats.NOT_SENT, without.dropped(), "both totals are optional");
        assertEquals(ControlMessage.Stats.NOT_SENT, without.stalls());
        assertEquals(9_007_199_254_740_991L, ((ControlMessage.Stats) ControlMessage.parse(
                "{\"type\":\"stats\",\"buffered_s\":1,\"dropped\":9007199254740991,\"stalls\":0}")).dropped(),
                "up to JavaScript's largest safe integer");
        assertEquals(new ControlMessage.Quality(2), ControlMessage.parse("{\"type\":\"quality\",\"rung\":2}"));
        assertEquals(new ControlMessage.Quality(ControlMessage.Quality.AUTO),
                ControlMessage.parse("{\"type\":\"quality\",\"rung\":\"auto\"}"));
    }

    @Test
    void everythingElseIsInvalidWithACode() {
        String[][] cases = {
                {"", "bad_json"}, {"{", "bad_json"}, {"42", "bad_json"}, {"{\"type\":1}", "bad_message"},
                {"{\"type\":\"jump\"}", "unknown_type"}, {"{\"type\":\"open\"}", "bad_message"},
                {"{\"type\":\"open\",\"video\":\"\"}", "bad_message"}, {"{\"type\":\"seek\",\"t\":-1}", "bad_message"},
                {"{\"type\":\"hello\",\"codecs\":\"avc1\"}", "bad_message"},
                {"{\"type\":\"hello\",\"codecs\":[1]}", "bad_message"}, {"{\"type\":\"stats\"}", "bad_message"},
                {"{\"type\":\"stats\",\"buffered_s\":-0.5,\"t\":3}", "bad_message"},
                {"{\"type\":\"stats\",\"buffered_s\":1,\"t\":-1}", "bad_message"},
                {"{\"type\":\"stats\",\"buffered_s\":1,\"t\":\"10\"}", "bad_message"},
                {"{\"type\":\"stats\",\"buffered_s\":1,\"t\":null}", "bad_message"},
                // Past a double's range: JsonParser refuses the text, it no longer hands over an Infinity.
                {"{\"type\":\"stats\",\"buffered_s\":1,\"t\":1e400}", "bad_json"},
                {"{\"type\":\"seek\",\"t\":1e400}", "bad_json"},
                {"{\"type\":\"stats\",\"buffered_s\":1,\"t\":NaN}", "bad_json"},
                {"{\"type\":\"stats\",\"buffered_s\":1,\"t\":Infinity}", "bad_json"},
                {"{\"type\":\"stats\",\"buffered_s\":1,\"t\":-Infinity}", "bad_json"},
                {"{\"type\":\"stats\",\"buffered_s\":1,\"t\":-1e-9}", "bad_message"},
                {"{\"type\":\"stats\",\"buffered_s\":1,\"rx_bps\":-5}", "bad_message"},
                {"{\"type\":\"stats\",\"buffered_s\":1,\"rx_bps\":\"fast\"}", "bad_message"},
                {"{\"type\":\"stats\",\"buffered_s\":1,\"dropped\":-1}", "bad_message"},
                {"{\"type\":\"stats\",\"buffered_s\":1,\"dropped\":2.5}", "bad_message"},
                {"{\"type\":\"stats\",\"buffered_s\":1,\"dropped\":\"3\"}", "bad_message"},
                {"{\"type\":\"stats\",\"buffered_s\":1,\"dropped\":null}", "bad_message"},
                {"{\"type\":\"stats\",\"buffered_s\":1,\"stalls\":1e300}", "bad_message"},
                {"{\"type\":\"stats\",\"buffered_s\":1,\"stalls\":[1]}", "bad_message"},
                {"{\"type\":\"stats\",\"buffered_s\":1,\"dropped\":0,\"stalls\":-3}", "bad_message"},
                {"{\"type\":\"quality\"}", "bad_message"}, {"{\"type\":\"quality\",\"rung\":-1}", "bad_message"},
                {"{\"type\":\"quality\",\"rung\":0.5}", "bad_message"},
                {"{\"type\":\"quality\",\"rung\":\"best\"}", "bad_message"},
                {"{\"type\":\"play\"," + "\"x\":\"" + "y".repeat(5000) + "\"}", "bad_json"},
                // '٣' (U+0663) is a digit to Character.isDigit, not to JSON: a NumberFormatException once escaped.
                {"{\"type\":\"seek\",\"t\":1.\u0663}", "bad_json"},
        };
        for (String[] c : cases) {
            ControlMessage m = ControlMessage.parse(c[0]);
            assertTrue(m instanceof ControlMessage.Invalid i && i.code().equals(c[1]), c[0] + " → " + m);
        }
    }

    @Test
    void headerIs24BigEndianBytesAndRoundTrips() {
        SegmentHeader h = new SegmentHeader(SegmentHeader.Track.AUDIO, SegmentHeader.Kind.MEDIA, true, 3, 0x01020304,
                7, -21, 1984);
        ByteBuffer b = h.encode();
        assertEquals(24, b.remaining());
        byte[] bytes = new byte[24];
        b.duplicate().get(bytes);
        assertEquals('S', bytes[0]);
        assertEquals('L', bytes[1]);
        assertEquals(1, bytes[2]);
        assertEquals(1, bytes[3]);  // audio
        assertEquals(1, bytes[4]);  // media
        assertEquals(1, bytes[5]);  // keyframe
        assertEquals(3, bytes[7]);  // rung, low byte
        assertEquals(0x01, bytes[8]);
        assertEquals(0x04, bytes[11]);
        assertEquals(-1, bytes[16]); // -21 ms, two's complement
        assertEquals(h, SegmentHeader.decode(b));
        b.put(2, (byte) 9);
        assertThrows(IllegalArgumentException.class, () -> SegmentHeader.decode(b));
        assertThrows(IllegalArgumentException.class, () -> SegmentHeader.decode(ByteBuffer.allocate(23)));
        assertEquals(-22, SegmentHeader.millis(-1024, 48000)); // -21.3 ms, rounded down
        ByteBuffer flagged = h.encode();
        assertTrue(!SegmentHeader.backToBack(flagged));
        flagged.put(5, (byte) (flagged.get(5) | SegmentHeader.BACK_TO_BACK));
        assertTrue(SegmentHeader.backToBack(flagged));
        assertEquals(h, SegmentHeader.decode(flagged), "bit 1 leaves the keyframe bit alone");
    }
}
