package dev.streamlab.http.range;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RangesTest {
    static final long SEED = 20240601L;

    /** The decision for a Range header, written "206 a-b,c-d", "416", "200 REASON" or "IGNORED". */
    static String decide(String header, long length, int maxParts) {
        return RangeHeader.parse(header).map(specs -> describe(Ranges.decide(specs, length, maxParts)))
                .orElse("IGNORED");
    }

    static String describe(RangeDecision d) {
        return switch (d) {
            case RangeDecision.Full f -> "200 " + f.reason();
            case RangeDecision.Unsatisfiable u -> "416";
            case RangeDecision.Partial p ->
                    "206 " + p.ranges().stream().map(ByteRange::toString).collect(Collectors.joining(","));
        };
    }

    @ParameterizedTest(name = "[{0}] of {1} -> {2}")
    @CsvSource(delimiter = '|', textBlock = """
            bytes=0-1                          | 100   | 206 0-1
            bytes=0-0                          | 100   | 206 0-0
            bytes=-500                         | 10000 | 206 9500-9999
            bytes=9500-                        | 10000 | 206 9500-9999
            bytes=0-0,-1                       | 10000 | 206 0-0,9999-9999
            bytes=0-999,4500-5499,-1000        | 10000 | 206 0-999,4500-5499,9000-9999
            bytes=0-99,101-199                 | 1000  | 206 0-99,101-199
            """)
    void satisfiableRangesArePartial(String header, long length, String expected) {
        assertEquals(expected, decide(header, length, 16));
    }

    @ParameterizedTest(name = "[{0}] of {1} -> {2}")
    @CsvSource(delimiter = '|', textBlock = """
            bytes=0-499,500-999                | 1000  | 206 0-999
            bytes=0-500,400-999                | 1000  | 206 0-999
            bytes=500-600,601-999              | 10000 | 206 500-999
            bytes=500-700,601-999              | 10000 | 206 500-999
            bytes=0-9,0-9,0-9                  | 1000  | 206 0-9
            bytes=0-,0-,0-,0-                  | 1000  | 206 0-999
            bytes=0-,-1                        | 1000  | 206 0-999
            bytes=10-20,0-100                  | 1000  | 206 0-100
            bytes=0-0,1-1,2-2,3-3              | 1000  | 206 0-3
            bytes=-10,0-989                    | 1000  | 206 0-999
            bytes=0-1,3-4,2-2                  | 1000  | 206 0-4
            """)
    void overlappingAndAdjacentRangesCoalesce(String header, long length, String expected) {
        assertEquals(expected, decide(header, length, 16));
    }

    @ParameterizedTest(name = "[{0}] -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            bytes=500-599,0-99                 | 206 500-599,0-99
            bytes=500-599,0-99,550-650         | 206 500-650,0-99
            bytes=900-,0-0,400-499             | 206 900-999,0-0,400-499
            bytes=700-799,0-9,600-700          | 206 600-799,0-9
            """)
    void partsKeepTheOrderTheClientAskedFor(String header, String expected) {
        // RFC 9110 §15.3.7.2: parts "SHOULD" follow the order of the range-specs, minus the coalesced ones; a
        // merged range takes the position of the earliest spec it absorbed.
        assertEquals(expected, decide(header, 1000, 16));
    }

    @ParameterizedTest(name = "[{0}] of {1} -> {2}")
    @CsvSource(delimiter = '|', textBlock = """
            bytes=100-                         | 100 | 416
            bytes=100-100                      | 100 | 416
            bytes=-0                           | 100 | 416
            bytes=-0,-0                        | 100 | 416
            bytes=100-,200-300,-0              | 100 | 416
            bytes=99999999999999999999-        | 100 | 416
            bytes=100-,0-1                     | 100 | 206 0-1
            bytes=0-0,-0                       | 100 | 206 0-0
            bytes=200-300,-1                   | 100 | 206 99-99
            """)
    void unsatisfiableSpecsAreDroppedAnd416OnlyWhenNoneRemains(String header, long length, String expected) {
        assertEquals(expected, decide(header, length, 16));
    }

    @ParameterizedTest(name = "[{0}] of an empty file -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            bytes=0-0                          | 416
            bytes=0-                           | 416
            bytes=0-99                         | 416
            bytes=-0                           | 416
            bytes=-1                           | 200 EMPTY_REPRESENTATION
            bytes=-99999999999999999999        | 200 EMPTY_REPRESENTATION
            bytes=0-,-1                        | 200 EMPTY_REPRESENTATION
            """)
    void emptyFileIsUnsatisfiableExceptForANonZeroSuffix(String header, String expected) {
        // The suffix is satisfiable (RFC 9110 §14.1.2) but Content-Range cannot express zero bytes: 200, empty body.
        assertEquals(expected, decide(header, 0, 16));
    }

    @ParameterizedTest(name = "[{0}] -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            bytes=0-1                          | 206 0-1
            bytes=0-99999999999999999999       | 206 0-99
            bytes=-99999999999999999999        | 206 0-99
            bytes=99999999999999999999-        | 416
            bytes=99999999999999999999-99999999999999999999 | 416
            bytes=99999999999999999999-99999999999999999998 | IGNORED
            """)
    void twentyDigitNumbersNeverProduceANegativeLength(String header, String expected) {
        assertEquals(expected, decide(header, 100, 16));
    }

    @Test
    void safariProbeGetsTwoBytes() {
        RangeDecision d = Ranges.decide(RangeHeader.parse("bytes=0-1").orElseThrow(), 5_000_000, 16);
        RangeDecision.Partial p = (RangeDecision.Partial) d;
        assertTrue(p.isSingle());
        assertEquals(2, p.ranges().get(0).length());
    }

    @Test
    void hundredOpenEndedRangesCoalesceIntoOneWholeFileRange() {
        // The CVE-2011-3192 shape within the parser's spec limit: one part, never more bytes than the file.
        String header = "bytes=" + "0-,".repeat(RangeHeader.MAX_SPECS);
        assertEquals("206 0-999999", decide(header, 1_000_000, 16));
    }

    @Test
    void hundredOverlappingSmallRangesCoalesceIntoOne() {
        String header = "bytes=" + IntStream.range(0, 100).mapToObj(i -> i + "-" + (i + 1))
                .collect(Collectors.joining(","));
        assertEquals("206 0-100", decide(header, 1000, 16));
    }

    @Test
    void sixteenDisjointRangesAreSentButSeventeenFallBackToWholeFile() {
        String sixteen = "bytes=" + IntStream.range(0, 16).mapToObj(i -> (i * 10) + "-" + (i * 10))
                .collect(Collectors.joining(","));
        assertEquals(16, decide(sixteen, 1000, 16).split(",").length);
        assertEquals("200 TOO_MANY_PARTS", decide(sixteen + ",999-999", 1000, 16));
        assertEquals("200 TOO_MANY_PARTS", decide("bytes=0-0,2-2", 1000, 1));
    }

    @Test
    void decideRejectsNonsenseArguments() {
        List<RangeSpec> one = List.of(new RangeSpec.From(0));
        assertThrows(IllegalArgumentException.class, () -> Ranges.decide(List.of(), 10, 16));
        assertThrows(IllegalArgumentException.class, () -> Ranges.decide(one, -1, 16));
        assertThrows(IllegalArgumentException.class, () -> Ranges.decide(one, 10, 0));
    }

    @Test
    void randomSpecListsAlwaysGiveDisjointRangesWithinTheFile() {
        // Property check over 20 000 seeded cases: whatever the specs, a Partial never overlaps, never touches,
        // never leaves the file, never exceeds maxParts, and covers exactly the bytes the specs asked for.
        Random rnd = new Random(SEED);
        for (int trial = 0; trial < 20_000; trial++) {
            long length = switch (rnd.nextInt(4)) {
                case 0 -> rnd.nextInt(3);
                case 1 -> rnd.nextInt(100);
                case 2 -> rnd.nextInt(1_000_000);
                default -> Long.MAX_VALUE - rnd.nextInt(3);
            };
            List<RangeSpec> specs = new ArrayList<>();
            for (int i = 1 + rnd.nextInt(30); i > 0; i--) specs.add(randomSpec(rnd, length));
            int maxParts = 1 + rnd.nextInt(20);
            String where = "seed " + SEED + " trial " + trial + " length " + length + " specs " + specs;

            RangeDecision d = Ranges.decide(specs, length, maxParts);

            boolean anySatisfiable = specs.stream().anyMatch(s -> s.isSatisfiable(length));
            switch (d) {
                case RangeDecision.Unsatisfiable u -> assertTrue(!anySatisfiable, where);
                case RangeDecision.Full f -> assertTrue(anySatisfiable, where);
                case RangeDecision.Partial p -> {
                    assertTrue(p.ranges().size() <= maxParts, where);
                    List<ByteRange> sorted = new ArrayList<>(p.ranges());
                    sorted.sort(Comparator.comparingLong(ByteRange::start));
                    for (int i = 0; i < sorted.size(); i++) {
                        assertTrue(sorted.get(i).end() < length, where);
                        if (i > 0) assertTrue(sorted.get(i - 1).end() + 1 < sorted.get(i).start(), where);
                    }
                    // Every byte a spec selected is in some part, and every part byte was selected by some spec.
                    for (RangeSpec s : specs) {
                        s.resolve(length).ifPresent(r -> assertTrue(sorted.stream().anyMatch(
                                m -> m.start() <= r.start() && r.end() <= m.end()), where));
                    }
                    for (ByteRange m : sorted) {
                        assertTrue(specs.stream().anyMatch(s -> s.resolve(length)
                                .filter(r -> r.start() == m.start()).isPresent()), where);
                    }
                }
            }
        }
    }

    private static RangeSpec randomSpec(Random rnd, long length) {
        long bound = length > Long.MAX_VALUE - 10 ? Long.MAX_VALUE - 1 : length + 5; // a little past the end
        long a = rnd.nextInt(10) == 0 ? Long.MAX_VALUE : Math.floorMod(rnd.nextLong(), bound);
        long b = rnd.nextInt(10) == 0 ? Long.MAX_VALUE : Math.floorMod(rnd.nextLong(), bound);
        return switch (rnd.nextInt(3)) {
            case 0 -> new RangeSpec.Closed(Math.min(a, b), Math.max(a, b));
            case 1 -> new RangeSpec.From(a);
            default -> new RangeSpec.Suffix(rnd.nextInt(4) == 0 ? rnd.nextInt(3) : a);
        };
    }

    /**
     * One spec skips the sort and the merge; the same spec twice goes through both and must coalesce back to the same
     * decision, for every spec and length. Seeded random specs plus the edges: zero, the last byte, one past it, and
     * saturated huge values.
     */
    @Test
    void aSpecAloneIsDecidedAsTheSameSpecGivenTwice() {
        Random rnd = new Random(SEED);
        long[] lengths = {0, 1, 2, 100, 65_536, 1L << 30, Long.MAX_VALUE};
        int compared = 0;
        for (long length : lengths) {
            List<Long> points = new ArrayList<>(List.of(0L, 1L, length - 1, length, length + 1, Long.MAX_VALUE));
            for (int i = 0; i < 40; i++) {
                points.add(length <= 0 ? rnd.nextLong(4) : rnd.nextLong(length) + rnd.nextLong(3));
            }
            points.removeIf(p -> p < 0);
            for (long a : points) {
                List<RangeSpec> specs = new ArrayList<>(List.of(new RangeSpec.From(a), new RangeSpec.Suffix(a)));
                for (long b : points) if (b >= a) specs.add(new RangeSpec.Closed(a, b));
                for (RangeSpec spec : specs) {
                    RangeDecision one = Ranges.decide(List.of(spec), length, 1);
                    assertEquals(Ranges.decide(List.of(spec, spec), length, 1), one, () -> spec + " of " + length);
                    compared++;
                }
            }
        }
        assertTrue(compared > 5_000, "compared " + compared);
    }
}
