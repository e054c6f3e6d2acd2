package dev.streamlab.http.range;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class MultipartByterangesTest {
    static final long SEED = 20240601L;

    /** What a server writes: each header buffer, then the file's bytes of its range; finally the close delimiter. */
    static byte[] assemble(MultipartByteranges m, byte[] file) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (MultipartByteranges.Part p : m.parts()) {
            out.writeBytes(bytes(p.header()));
            out.write(file, (int) p.range().start(), (int) p.range().length());
        }
        out.writeBytes(bytes(m.closeDelimiter()));
        return out.toByteArray();
    }

    static byte[] bytes(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.get(a);
        return a;
    }

    @Test
    void layoutPutsCrlfsExactlyWhereRfc2046Wants() {
        MultipartByteranges m = MultipartByteranges.of(
                List.of(new ByteRange(0, 4), new ByteRange(10, 14)), 20, "video/mp4", "B");
        assertEquals("--B\r\nContent-Type: video/mp4\r\nContent-Range: bytes 0-4/20\r\n\r\n",
                m.parts().get(0).headerText(), "first part: no CRLF before the first boundary");
        assertEquals("\r\n--B\r\nContent-Type: video/mp4\r\nContent-Range: bytes 10-14/20\r\n\r\n",
                m.parts().get(1).headerText(), "later parts: the CRLF before --B belongs to the delimiter");
        assertEquals("\r\n--B--\r\n", new String(bytes(m.closeDelimiter()), StandardCharsets.US_ASCII));

        byte[] file = "0123456789abcdefghij".getBytes(StandardCharsets.US_ASCII);
        String body = new String(assemble(m, file), StandardCharsets.US_ASCII);
        assertEquals("--B\r\nContent-Type: video/mp4\r\nContent-Range: bytes 0-4/20\r\n\r\n01234"
                + "\r\n--B\r\nContent-Type: video/mp4\r\nContent-Range: bytes 10-14/20\r\n\r\nabcde"
                + "\r\n--B--\r\n", body);
        assertEquals(body.length(), m.contentLength());
    }

    @Test
    void contentTypeHeaderValueNamesTheBoundary() {
        MultipartByteranges m = MultipartByteranges.of(List.of(new ByteRange(0, 0), new ByteRange(2, 2)), 3,
                "video/mp4", "THIS_STRING_SEPARATES");
        assertEquals("multipart/byteranges; boundary=THIS_STRING_SEPARATES", m.contentType());
        assertEquals("THIS_STRING_SEPARATES", m.boundary());
        assertEquals(3, m.completeLength());
    }

    @Test
    void withoutContentTypeThePartsCarryOnlyContentRange() {
        MultipartByteranges m = MultipartByteranges.of(List.of(new ByteRange(1, 2), new ByteRange(5, 5)), 8, null,
                "b");
        assertEquals("--b\r\nContent-Range: bytes 1-2/8\r\n\r\n", m.parts().get(0).headerText());
        byte[] file = "ABCDEFGH".getBytes(StandardCharsets.US_ASCII);
        List<MultipartParser.ParsedPart> parsed = MultipartParser.parse(assemble(m, file), "b");
        assertEquals(List.of("Content-Range"), List.copyOf(parsed.get(1).headers().keySet()));
        assertArrayEquals("F".getBytes(StandardCharsets.US_ASCII), parsed.get(1).body());
    }

    static Stream<Arguments> rangeSets() {
        return Stream.of(
                Arguments.of(1000, List.of(new ByteRange(0, 0), new ByteRange(999, 999))),
                Arguments.of(1000, List.of(new ByteRange(500, 599), new ByteRange(0, 99))),
                Arguments.of(10_000, List.of(new ByteRange(0, 999), new ByteRange(4500, 5499),
                        new ByteRange(9000, 9999))),
                Arguments.of(100, List.of(new ByteRange(0, 49), new ByteRange(51, 99))),
                Arguments.of(1, List.of(new ByteRange(0, 0))),
                Arguments.of(70_000, randomDisjoint(new Random(SEED), 70_000, 16)));
    }

    @ParameterizedTest(name = "file {0} B, ranges {1}")
    @MethodSource("rangeSets")
    void partsParseBackToTheFilesBytesAndContentLengthIsExact(int size, List<ByteRange> ranges) {
        byte[] file = new byte[size];
        new Random(SEED).nextBytes(file);
        // Plant the boundary's neighbourhood in the data: CRLF and dashes must not confuse a correct layout.
        if (size > 10) System.arraycopy("\r\n--\r\n".getBytes(StandardCharsets.US_ASCII), 0, file, 3, 6);
        MultipartByteranges m = MultipartByteranges.of(ranges, size, "video/mp4");

        byte[] body = assemble(m, file);

        assertEquals(body.length, m.contentLength(), "Content-Length is the real byte count");
        List<MultipartParser.ParsedPart> parsed = MultipartParser.parse(body, m.boundary());
        assertEquals(ranges.size(), parsed.size());
        for (int i = 0; i < ranges.size(); i++) {
            ByteRange r = ranges.get(i);
            MultipartParser.ParsedPart p = parsed.get(i);
            assertEquals("video/mp4", p.headers().get("Content-Type"));
            assertEquals(r.contentRange(size), p.headers().get("Content-Range"));
            assertArrayEquals(Arrays.copyOfRange(file, (int) r.start(), (int) r.end() + 1), p.body(), "part " + i);
        }
    }

    @Test
    void headerBuffersAreReadOnlyAndFreshOnEveryCall() {
        MultipartByteranges m = MultipartByteranges.of(List.of(new ByteRange(0, 1), new ByteRange(3, 4)), 5,
                "video/mp4", "B");
        MultipartByteranges.Part part = m.parts().get(0);
        ByteBuffer first = part.header();
        assertTrue(first.isReadOnly());
        first.position(first.limit()); // a writer consumed it
        assertEquals(part.headerLength(), part.header().remaining(), "a second writer starts at 0");
        assertEquals(m.closeDelimiter().remaining(), bytes(m.closeDelimiter()).length);
        assertThrows(java.nio.ReadOnlyBufferException.class, () -> m.closeDelimiter().put(0, (byte) 'x'));
    }

    @Test
    void gatheringWriteOfHeadersAndRegionsProducesTheSameBody() {
        // Phase 3's shape: header buffers and (here: wrapped) file regions handed to one gathering write.
        byte[] file = new byte[300];
        new Random(SEED).nextBytes(file);
        MultipartByteranges m = MultipartByteranges.of(List.of(new ByteRange(10, 19), new ByteRange(200, 299)),
                300, "video/mp4", "0123456789abcdef");
        List<ByteBuffer> srcs = new ArrayList<>();
        for (MultipartByteranges.Part p : m.parts()) {
            srcs.add(p.header());
            srcs.add(ByteBuffer.wrap(file, (int) p.range().start(), (int) p.range().length()));
        }
        srcs.add(m.closeDelimiter());
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        long written = 0;
        for (ByteBuffer b : srcs) {
            written += b.remaining();
            sink.writeBytes(bytes(b));
        }
        assertEquals(m.contentLength(), written);
        assertArrayEquals(assemble(m, file), sink.toByteArray());
    }

    @Test
    void boundariesAreThirtyTwoRandomHexDigits() {
        String a = MultipartByteranges.newBoundary();
        String b = MultipartByteranges.newBoundary();
        assertTrue(a.matches("[0-9a-f]{32}"), a);
        assertNotEquals(a, b);
        MultipartByteranges m = MultipartByteranges.of(List.of(new ByteRange(0, 0), new ByteRange(2, 2)), 3, null);
        assertTrue(m.boundary().matches("[0-9a-f]{32}"));
    }

    @ParameterizedTest(name = "boundary [{0}]")
    @ValueSource(strings = {"", "has space", "a\r\nb", "quo\"te", "semi;colon", "slash/", "é",
        "12345678901234567890123456789012345678901234567890123456789012345678901"})
    void unsafeBoundariesAreRejected(String boundary) {
        assertThrows(IllegalArgumentException.class,
                () -> MultipartByteranges.of(List.of(new ByteRange(0, 0)), 1, "video/mp4", boundary));
    }

    @Test
    void seventyCharacterBoundaryIsAccepted() {
        String seventy = "a".repeat(70);
        assertEquals(seventy, MultipartByteranges.of(List.of(new ByteRange(0, 0)), 1, null, seventy).boundary());
    }

    @Test
    void contentTypeThatCouldInjectAHeaderIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> MultipartByteranges.of(
                List.of(new ByteRange(0, 0)), 1, "video/mp4\r\nSet-Cookie: x=y", "B"));
        assertThrows(IllegalArgumentException.class, () -> MultipartByteranges.of(
                List.of(new ByteRange(0, 0)), 1, "video/mp4\u0085", "B"));
    }

    @Test
    void rangesOutsideTheRepresentationOrNoRangesAreRejected() {
        assertThrows(IllegalArgumentException.class,
                () -> MultipartByteranges.of(List.of(new ByteRange(0, 10)), 10, null, "B"));
        assertThrows(IllegalArgumentException.class, () -> MultipartByteranges.of(List.of(), 10, null, "B"));
    }

    /** Up to {@code count} disjoint, non-adjacent ranges inside {@code size} bytes, in random order. */
    static List<ByteRange> randomDisjoint(Random rnd, int size, int count) {
        List<ByteRange> out = new ArrayList<>();
        int slot = size / count;
        for (int i = 0; i < count; i++) {
            int start = i * slot + rnd.nextInt(slot / 2);
            out.add(new ByteRange(start, start + rnd.nextInt(slot / 2 - 1)));
        }
        java.util.Collections.shuffle(out, rnd);
        return out;
    }
}
