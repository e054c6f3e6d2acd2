package dev.streamlab.mp4;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzzing of the parser with Jazzer: the contract of {@link Mp4RobustnessTest} (parse or throw
 * {@link Mp4FormatException}, bounded allocation, every accessor works afterwards) checked on inputs Jazzer
 * evolves from the seed corpus.
 *
 * <p>Two modes:
 * <ul>
 *   <li>{@code mvn test} (regression): runs the empty input, then every file of the seed corpus in
 *       {@code src/test/resources/dev/streamlab/mp4/Mp4ParserFuzzTestInputs/anyBytesParseOrNameTheBadBox/}
 *       (Jazzer's convention: {@code <package>/<TestClass>Inputs/<testMethod>/}, searched recursively; files
 *       directly in {@code <TestClass>Inputs/} are shared by every method). Tiny ffmpeg files (H.264 with and
 *       without B-frames, AAC, HEVC, VP9, AV1, Opus, FLAC, QuickTime, fragmented, moov at the end) and crafted
 *       ones (largesize, size-0 and uuid boxes, co64, stz2, version-1 boxes with an empty edit).</li>
 *   <li>Fuzzing: {@code JAZZER_FUZZ=1 mvn -pl phase1-fundamentals -am test -Dtest=Mp4ParserFuzzTest
 *       -Djmh.skip=true} for {@code maxDuration} (override with {@code JAZZER_MAX_DURATION=10m}). New coverage goes
 *       to {@code phase1-fundamentals/.cifuzz-corpus/} (not under version control); a crashing input is written
 *       into the seed directory above, so it replays in every later {@code mvn test} once the bug is fixed.</li>
 * </ul>
 */
class Mp4ParserFuzzTest {
    // Box types and brands: the mutator splices these in, so it can build boxes the seeds do not have.
    @DictionaryEntries({"ftyp", "moov", "mvhd", "trak", "tkhd", "edts", "elst", "mdia", "mdhd", "hdlr", "minf",
            "stbl", "stsd", "stts", "ctts", "stss", "stsz", "stz2", "stsc", "stco", "co64", "udta", "meta", "uuid",
            "mdat", "free", "mvex", "moof", "avc1", "avcC", "hvc1", "hvcC", "vp09", "vpcC", "av01", "av1C", "mp4a",
            "esds", "wave", "Opus", "fLaC", "vide", "soun"})
    @FuzzTest(maxDuration = "30s")
    void anyBytesParseOrNameTheBadBox(byte[] input) throws Throwable {
        Mp4RobustnessTest.assertParsesOrNamesTheProblem(input, "fuzz input of " + input.length + " bytes");
    }
}
