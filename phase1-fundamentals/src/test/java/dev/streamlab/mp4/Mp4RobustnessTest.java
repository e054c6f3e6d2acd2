package dev.streamlab.mp4;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.streamlab.probe.Probe;
import dev.streamlab.testing.ExternalTools;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Seeded property tests of the parser's contract: for <em>any</em> bytes, {@link Mp4File#parse} either succeeds
 * or throws {@link Mp4FormatException} naming a box and an offset inside the input; it never throws anything else,
 * never hangs, and never allocates more than the input can justify. After a successful parse every accessor works.
 *
 * <p>The inputs are real bundled samples, damaged in the ways files really get damaged (cut short, bit rot) and in
 * the ways a hostile file lies (a size or count field replaced by 0, 1, 0xffffffff, the file size...).
 *
 * <p>Every case is reproducible from the base seed (printed; set it with {@code -Dstreamlab.seed=N}), the sample
 * and the case number, which every failure message names.
 */
class Mp4RobustnessTest {
    static final long SEED = Long.getLong("streamlab.seed", 20240611L);
    private static final int CASES = 300;
    /** A hang guard, not a performance assertion: a batch of 300 cases takes well under a second. */
    private static final Duration BATCH_LIMIT = Duration.ofSeconds(15);

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @BeforeAll
    static void printSeed() {
        System.out.println("Mp4RobustnessTest base seed " + SEED + " (rerun with -Dstreamlab.seed=" + SEED + ")");
    }

    static Stream<Path> samples() throws IOException {
        // One of each layout: video only, B-frames with audio, moov after mdat. The ladder adds size, not shapes.
        return ExternalTools.bundledSamples().stream()
                .filter(p -> p.getFileName().toString().startsWith("sample-10s"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void aFileCutShortAtAnyLengthParsesOrNamesTheProblem(Path sample) throws IOException {
        Original original = Original.of(sample);
        runCases("truncate", original, (random, bytes) -> {
            // Half the cuts land in the boxes the parser reads (ftyp, moov), half anywhere in the file.
            int length = random.nextBoolean() ? random.nextInt(bytes.length) : random.nextInt(original.metaEnd + 1);
            return Arrays.copyOf(bytes, length);
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void flippedBitsParseOrNameTheProblem(Path sample) throws IOException {
        Original original = Original.of(sample);
        runCases("flip", original, (random, bytes) -> {
            int flips = 1 + random.nextInt(8);
            for (int i = 0; i < flips; i++) {
                int at = original.randomPosition(random);
                bytes[at] ^= (byte) (1 << random.nextInt(8));
            }
            return bytes;
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void lyingSizeAndCountFieldsParseOrNameTheProblem(Path sample) throws IOException {
        Original original = Original.of(sample);
        runCases("overwrite", original, (random, bytes) -> {
            int writes = 1 + random.nextInt(3);
            for (int i = 0; i < writes; i++) {
                // Mostly where lies hurt: box size fields and the count right after a full box's version/flags.
                int at = switch (random.nextInt(4)) {
                    case 0 -> original.sizeFields.get(random.nextInt(original.sizeFields.size()));
                    case 1 -> original.countFields.get(random.nextInt(original.countFields.size()));
                    case 2 -> original.countFields.get(random.nextInt(original.countFields.size())) + 4;
                    default -> original.randomPosition(random);
                };
                at = Math.min(at, bytes.length - 4);
                ByteBuffer.wrap(bytes).putInt(at, (int) interesting(random, bytes.length));
            }
            return bytes;
        });
    }

    /** Values that break size arithmetic: zero, one, the header size, the limits of int, the file size. */
    private static long interesting(Random random, int fileSize) {
        long[] values = {0, 1, 7, 8, 9, 16, 0x7fff_ffffL, 0x8000_0000L, 0xffff_ffffL, fileSize - 1, fileSize,
                fileSize + 1, SampleTable.MAX_SAMPLES, SampleTable.MAX_SAMPLES + 1};
        return values[random.nextInt(values.length)];
    }

    @FunctionalInterface
    private interface Mutation {
        byte[] apply(Random random, byte[] copy);
    }

    private static void runCases(String kind, Original original, Mutation mutation) {
        String name = original.path.getFileName().toString();
        assertTimeoutPreemptively(BATCH_LIMIT, () -> {
            for (int c = 0; c < CASES; c++) {
                long seed = SEED ^ (name.hashCode() * 31L + kind.hashCode()) * 1_000_003L ^ c;
                byte[] input = mutation.apply(new Random(seed), original.bytes.clone());
                String where = "base seed " + SEED + ", " + name + ", " + kind + " case " + c + " (case seed "
                        + seed + ", " + input.length + " bytes)";
                try {
                    assertParsesOrNamesTheProblem(input, where);
                } catch (AssertionError e) {
                    throw e;
                } catch (Throwable e) {
                    throw new AssertionError(where + ": " + e, e);
                }
            }
        }, () -> kind + " cases on " + name + " did not finish in " + BATCH_LIMIT + " (a hang?), seed " + SEED);
    }

    /**
     * The whole contract for one input: parse within an allocation bound, use every accessor, and fail, if at all,
     * only with an {@link Mp4FormatException} that points inside the input.
     */
    static void assertParsesOrNamesTheProblem(byte[] input, String where) throws Throwable {
        Mp4File file = null;
        try {
            file = Mp4File.parse(ByteBuffer.wrap(input));
        } catch (Mp4FormatException e) {
            assertNamesAPlaceInTheInput(e, input.length, where);
        }
        assertAllocationBounded(input, where);
        if (file != null) useEverything(file, where);
    }

    /**
     * A lying count must be refused before it sizes an array: a parse allocates O(input), not O(what the input
     * claims). Measured on a second parse of the same input: the first may load, instrument (Jazzer's agent) and
     * link classes and call sites on this thread, megabytes once that say nothing about the input.
     */
    static void assertAllocationBounded(byte[] input, String where) {
        long before = THREADS.getCurrentThreadAllocatedBytes();
        try {
            Mp4File.parse(ByteBuffer.wrap(input));
        } catch (Mp4FormatException expected) {
            // Failing is fine; only the cost is measured here.
        }
        long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
        long limit = 64L * input.length + 4 * 1024 * 1024;
        assertTrue(allocated <= limit, where + ": parsing allocated " + allocated + " bytes, more than " + limit);
    }

    static void assertNamesAPlaceInTheInput(Mp4FormatException e, long inputLength, String where) {
        assertTrue(e.getMessage() != null && e.box() != null, where + ": " + e);
        assertTrue(e.offset() >= 0 && e.offset() <= inputLength,
                where + ": offset " + e.offset() + " is outside the " + inputLength + "-byte input: " + e);
    }

    /**
     * Everything a caller does with a parsed file (the probe, the seek index, the sample accessors) must work on
     * whatever the parser accepted. {@code tree()} may still refuse (it reads boxes the parse skipped).
     */
    static void useEverything(Mp4File file, String where) {
        file.durationSeconds();
        file.moovBeforeMdat();
        file.majorBrand();
        file.compatibleBrands();
        for (Track t : file.movie().tracks()) {
            t.duration();
            t.durationSeconds();
            t.bitrate();
            t.codec();
            t.entry().entry();
            SampleTable s = t.samples();
            s.totalBytes();
            s.totalDuration();
            s.keyframeCount();
            s.nextKeyframe(0);
            int n = s.count();
            for (int i : new int[] {0, n / 2, n - 1}) {
                if (i < 0 || i >= n) continue;
                s.offset(i);
                s.size(i);
                s.decodeTime(i);
                s.compositionTime(i);
                s.isKeyframe(i);
                t.presentationTime(i);
                t.presentationSeconds(i);
            }
            KeyframeIndex keys = t.keyframes();
            keys.seconds();
            for (double seconds : new double[] {-1, 0, t.durationSeconds() / 2, t.durationSeconds(), 1e12}) {
                if (keys.size() == 0) {
                    // Documented: a track without keyframes (an empty fragmented-file moov) cannot seek.
                    assertThrows(IllegalStateException.class, () -> keys.atOrBefore(seconds), where);
                } else {
                    keys.atOrBefore(seconds);
                }
            }
            if (keys.size() > 0) keys.get(keys.size() - 1);
        }
        Probe.report(file);
        Probe.text("input", file);
        try {
            file.tree();
            Probe.boxes(file);
        } catch (Mp4FormatException e) {
            assertNamesAPlaceInTheInput(e, file.size(), where + " (tree)");
        }
    }

    /** A sample's bytes and where its interesting fields are, found by walking its real box tree. */
    private record Original(Path path, byte[] bytes, int metaStart, int metaEnd, List<Integer> sizeFields,
                            List<Integer> countFields) {
        static Original of(Path path) throws IOException {
            byte[] bytes = Files.readAllBytes(path);
            List<Integer> sizes = new ArrayList<>();
            List<Integer> counts = new ArrayList<>();
            BoxNode moov = null;
            for (BoxNode top : Mp4File.open(path).tree()) {
                walk(top, sizes, counts);
                if (top.type().equals("moov")) moov = top;
            }
            if (moov == null) fail(path + " has no moov");
            return new Original(path, bytes, (int) moov.offset(), (int) (moov.offset() + moov.size()), sizes, counts);
        }

        private static void walk(BoxNode n, List<Integer> sizes, List<Integer> counts) {
            sizes.add((int) n.offset());
            // Full boxes with a count after version/flags: stsd, stts, ctts, stss, stsc, stco, co64, elst, dref.
            if (List.of("stsd", "stts", "ctts", "stss", "stsc", "stco", "co64", "elst", "dref").contains(n.type())) {
                counts.add((int) n.offset() + n.headerSize() + 4);
            }
            // stsz: sample_size, then sample_count.
            if (n.type().equals("stsz")) counts.add((int) n.offset() + n.headerSize() + 4);
            for (BoxNode c : n.children()) walk(c, sizes, counts);
        }

        /** Mostly inside moov (what the parser reads), sometimes anywhere (top-level headers, mdat). */
        int randomPosition(Random random) {
            return random.nextInt(10) < 8 ? metaStart + random.nextInt(metaEnd - metaStart)
                    : random.nextInt(bytes.length);
        }
    }
}
