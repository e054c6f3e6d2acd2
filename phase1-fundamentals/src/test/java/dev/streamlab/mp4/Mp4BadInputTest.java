package dev.streamlab.mp4;

import static dev.streamlab.mp4.BoxWriter.MDAT_PAYLOAD;
import static dev.streamlab.mp4.BoxWriter.MDAT_SIZE;
import static dev.streamlab.mp4.BoxWriter.ascii;
import static dev.streamlab.mp4.BoxWriter.box;
import static dev.streamlab.mp4.BoxWriter.boxWithSize;
import static dev.streamlab.mp4.BoxWriter.co64;
import static dev.streamlab.mp4.BoxWriter.concat;
import static dev.streamlab.mp4.BoxWriter.fullBox;
import static dev.streamlab.mp4.BoxWriter.ftyp;
import static dev.streamlab.mp4.BoxWriter.largeBox;
import static dev.streamlab.mp4.BoxWriter.movie;
import static dev.streamlab.mp4.BoxWriter.moov;
import static dev.streamlab.mp4.BoxWriter.offsetOf;
import static dev.streamlab.mp4.BoxWriter.stbl;
import static dev.streamlab.mp4.BoxWriter.stco;
import static dev.streamlab.mp4.BoxWriter.stsc;
import static dev.streamlab.mp4.BoxWriter.stsz;
import static dev.streamlab.mp4.BoxWriter.stts;
import static dev.streamlab.mp4.BoxWriter.trak;
import static dev.streamlab.mp4.BoxWriter.u16;
import static dev.streamlab.mp4.BoxWriter.u32;
import static dev.streamlab.mp4.BoxWriter.u64;
import static dev.streamlab.mp4.BoxWriter.u8;
import static dev.streamlab.mp4.BoxWriter.zeros;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.probe.Probe;
import dev.streamlab.testing.ExternalTools;
import dev.streamlab.testing.Fifos;
import dev.streamlab.testing.UnreadableFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each way a file can be broken gets a clear {@link Mp4FormatException}: it names the box (so the message contains
 * its type) and an offset at or inside that box, and it is the same whether the bytes come from memory
 * ({@link Mp4File#parse}) or from disk ({@link Mp4File#open}, which maps {@code moov}). Crafted inputs come from
 * {@link BoxWriter}; others are a bundled sample with one field overwritten.
 */
class Mp4BadInputTest {
    private static final Path VIDEO_ONLY = ExternalTools.media().resolve("sample-10s-360p-video-only.mp4");
    private static final Path B_FRAMES = ExternalTools.media().resolve("sample-10s-360p-bframes.mp4");
    private static final String STBL = "moov/trak/mdia/minf/stbl/";

    @TempDir
    Path dir;

    // ---- Not an MP4 at all ----

    static Stream<Arguments> notMp4() {
        byte[] random = new byte[4096];
        new Random(42).nextBytes(random);
        return Stream.of(
                Arguments.of(Named.of("a text file", ascii("This is not a video, just a text file.\n"))),
                Arguments.of(Named.of("a PNG header", concat(new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10},
                        u32(13), ascii("IHDR"), zeros(17)))),
                Arguments.of(Named.of("random bytes", random)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("notMp4")
    void aFileThatIsNotAnMp4IsCalledThatAtOffsetZero(byte[] input) throws IOException {
        Mp4FormatException e = assertRefused(input);
        assertEquals(0, e.offset(), e.getMessage());
        assertTrue(e.getMessage().contains("not an MP4"), e.getMessage());
    }

    @Test
    void anEmptyFileIsRefusedAsEmpty() throws IOException {
        Mp4FormatException e = assertRefused(new byte[0]);
        assertEquals(0, e.offset());
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
    }

    // ---- Box headers that lie or are cut short ----

    @Test
    void aBoxHeaderCutShortIsReportedWhereItStarts() throws IOException {
        byte[] ftyp = ftyp();
        Mp4FormatException e = assertRefused(concat(ftyp, u32(100), ascii("m"))); // 5 of the 8 header bytes
        assertEquals(ftyp.length, e.offset(), e.getMessage());
        assertTrue(e.getMessage().contains("box header"), e.getMessage());

        Mp4FormatException alone = assertRefused(concat(u32(100), ascii("ft")));
        assertEquals(0, alone.offset(), alone.getMessage());
        assertTrue(alone.getMessage().contains("box header"), alone.getMessage());
    }

    @Test
    void aBoxLargerThanTheFileIsReportedAsTruncated() throws IOException {
        byte[] ftyp = ftyp();
        Mp4FormatException e = assertRefused(concat(ftyp, boxWithSize(1_000_000, "mdat", zeros(100))));
        assertBox(e, "mdat", ftyp.length, 108);
        assertTrue(e.getMessage().contains("runs past the end"), e.getMessage());
    }

    @ParameterizedTest(name = "size {0}")
    @ValueSource(ints = {2, 3, 4, 5, 6, 7})
    void aBoxSizeSmallerThanItsHeaderIsRefused(int size) throws IOException {
        byte[] ftyp = ftyp();
        Mp4FormatException top = assertRefused(concat(ftyp, boxWithSize(size, "free", zeros(8))));
        assertBox(top, "free", ftyp.length, 16);
        assertTrue(top.getMessage().contains("smaller than its 8-byte header"), top.getMessage());

        // The same lie one level down, in a box the parser splits into children.
        byte[] file = movie(BoxWriter.threeSamples());
        int mvhd = offsetOf(file, "mvhd");
        ByteBuffer.wrap(file).putInt(mvhd, size);
        Mp4FormatException inner = assertRefused(file);
        assertBox(inner, "moov/mvhd", mvhd, 8);
    }

    @Test
    void a64BitSizeWithTheTopBitSetIsRefused() throws IOException {
        byte[] ftyp = ftyp();
        Mp4FormatException e = assertRefused(concat(ftyp, largeBox(0x8000_0000_0000_0100L, "mdat", zeros(64))));
        assertBox(e, "mdat", ftyp.length, 16);
        assertTrue(e.getMessage().contains("64-bit size"), e.getMessage());
    }

    @Test
    void sizeOneWithoutRoomForTheLargesizeIsRefused() throws IOException {
        byte[] ftyp = ftyp();
        Mp4FormatException e = assertRefused(concat(ftyp, u32(1), ascii("free"), zeros(4)));
        assertBox(e, "free", ftyp.length, 12);
        assertTrue(e.getMessage().contains("64-bit box size"), e.getMessage());
    }

    // ---- Tables that claim more than they hold ----

    @Test
    void anStszClaimingFourBillionSizesIsRefusedBeforeAllocating() throws IOException {
        byte[] file = movie(stts(1, 3, 100), stsc(1, 3), stsz(0, 0xffff_ffffL, u32(100), u32(100), u32(100)),
                stco(MDAT_PAYLOAD));
        Mp4FormatException e = assertRefusedCheaply(file);
        assertBox(e, STBL + "stsz", offsetOf(file, "stsz"), 32);
        assertTrue(e.getMessage().contains("4294967295 entries"), e.getMessage());
    }

    @Test
    void aConstantSizeStszClaimingFourBillionSamplesIsRefusedBeforeAllocating() throws IOException {
        byte[] file = movie(stts(1, 3, 100), stsc(1, 3), stsz(100, 0xffff_ffffL), stco(MDAT_PAYLOAD));
        Mp4FormatException e = assertRefusedCheaply(file);
        assertBox(e, STBL + "stsz", offsetOf(file, "stsz"), 20);
        assertTrue(e.getMessage().contains("cannot fit"), e.getMessage());
    }

    static Stream<Arguments> lyingEntryCounts() {
        byte[] sizes = concat(u32(100), u32(100), u32(100));
        byte[] ctts = fullBox("ctts", 0, 0, u32(0x4000_0000L), u32(3), u32(0));
        return Stream.of(
                Arguments.of("stts", movie(stts(0x2000_0000L, 3, 100), stsc(1, 3), stsz(0, 3, sizes),
                        stco(MDAT_PAYLOAD))),
                Arguments.of("ctts", movie(stts(1, 3, 100), ctts, stsc(1, 3), stsz(0, 3, sizes),
                        stco(MDAT_PAYLOAD))),
                Arguments.of("stsc", movie(stts(1, 3, 100), stsc(0xffff_ffffL, 3), stsz(0, 3, sizes),
                        stco(MDAT_PAYLOAD))),
                Arguments.of("stco", movie(stts(1, 3, 100), stsc(1, 3), stsz(0, 3, sizes),
                        fullBox("stco", 0, 0, u32(1 << 30), u32(MDAT_PAYLOAD)))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lyingEntryCounts")
    void anEntryCountLargerThanItsTableIsRefusedBeforeAllocating(String type, byte[] file) throws IOException {
        Mp4FormatException e = assertRefusedCheaply(file);
        int at = offsetOf(file, type);
        assertBox(e, STBL + type, at, ByteBuffer.wrap(file).getInt(at));
        assertTrue(e.getMessage().contains("entries"), e.getMessage());
    }

    @Test
    void aRealSampleWhoseStszCountIsOverwrittenIsRefused() throws IOException {
        byte[] bytes = Files.readAllBytes(VIDEO_ONLY);
        BoxNode stsz = find(Mp4File.open(VIDEO_ONLY).tree(), STBL + "stsz");
        int sampleSize = (int) stsz.offset() + stsz.headerSize() + 4;
        int sampleCount = sampleSize + 4;

        ByteBuffer.wrap(bytes).putInt(sampleCount, 0xffff_ffff);
        Mp4FormatException table = assertRefusedCheaply(bytes);
        assertBox(table, STBL + "stsz", stsz.offset(), stsz.size());

        ByteBuffer.wrap(bytes).putInt(sampleSize, 1); // now "4 billion samples of 1 byte each", no table needed
        Mp4FormatException constant = assertRefusedCheaply(bytes);
        assertBox(constant, STBL + "stsz", stsz.offset(), stsz.size());
        assertTrue(constant.getMessage().contains("cannot fit"), constant.getMessage());
    }

    @Test
    void samplesThatOverlapToMoreThanTheFileAreRefused() throws IOException {
        // Three 900-byte samples, one per chunk, every chunk at the same offset: each lies inside the file, but
        // together they are more than it holds. (A black-box audit made 300 such samples of a 232 KB file into a 60 MB
        // segment on the wire.)
        byte[] file = movie(stts(1, 3, 100), stsc(1, 1), stsz(0, 3, u32(900), u32(900), u32(900)),
                fullBox("stco", 0, 0, u32(3), u32(MDAT_PAYLOAD), u32(MDAT_PAYLOAD), u32(MDAT_PAYLOAD)));
        Mp4FormatException e = assertRefusedCheaply(file);
        assertBox(e, STBL + "stsz", offsetOf(file, "stsz"), ByteBuffer.wrap(file).getInt(offsetOf(file, "stsz")));
        assertTrue(e.getMessage().contains("cannot fit") && e.getMessage().contains("2700 bytes"), e.getMessage());
    }

    @Test
    void moreSamplesThanTheFileHasBytesAreRefusedBeforeAllocating() throws IOException {
        // A 4-bit stz2 backs two samples with a byte, all of them 0 bytes long: 10,000 of them in a ~6.5 KB file.
        // (The audit's 10 million in a 5 MB file cost 240 MB of tables and an 846 MB /boxes answer.)
        int n = 10_000;
        byte[] file = movie(stts(1, n, 1), stsc(1, n), fullBox("stz2", 0, 0, zeros(3), u8(4), u32(n), zeros(n / 2)),
                stco(MDAT_PAYLOAD));
        assertTrue(file.length < n);
        Mp4FormatException e = assertRefusedCheaply(file);
        assertBox(e, STBL + "stz2", offsetOf(file, "stz2"), ByteBuffer.wrap(file).getInt(offsetOf(file, "stz2")));
        assertTrue(e.getMessage().contains(n + " samples cannot fit"), e.getMessage());
    }

    @Test
    void manyTracksCannotEachClaimTheWholeFileWithAConstantSampleSize() throws IOException {
        // A constant-size stsz is backed by no table. One track may say "one 1-byte sample per byte of the file";
        // two hundred small traks saying it would make the parser allocate 200 times the file's worth of arrays.
        int tracks = 200;
        byte[] file = manyTracks(tracks, 0);
        file = manyTracks(tracks, file.length);
        Mp4FormatException e = assertRefusedCheaply(file);
        int secondTrak = offsetOf(file, "trak") + ByteBuffer.wrap(file).getInt(offsetOf(file, "trak"));
        int secondStsz = secondTrak + offsetOf(Arrays.copyOfRange(file, secondTrak, file.length), "stsz");
        assertBox(e, STBL + "stsz", secondStsz, 20);
        assertTrue(e.getMessage().contains("cannot fit"), e.getMessage());
    }

    /** {@code tracks} traks, each claiming {@code samples} samples of one byte in one chunk at offset 0. */
    private static byte[] manyTracks(int tracks, long samples) {
        byte[][] traks = new byte[tracks][];
        for (int i = 0; i < tracks; i++) {
            traks[i] = trak(stbl(stts(1, samples, 1), stsc(1, samples), stsz(1, samples), stco(0)));
        }
        return concat(ftyp(), moov(traks));
    }

    // ---- Timing tables whose values put samples outside the track ----

    @Test
    void anEditStartingAfterTheLastSampleEndsIsRefusedNamingElst() throws IOException {
        // The audit's file: every presentation time far negative, so phase 3 streamed nothing and said "ended".
        byte[] bytes = Files.readAllBytes(B_FRAMES);
        BoxNode elst = find(Mp4File.open(B_FRAMES).tree(), "moov/trak/edts/elst");
        int entry = firstEntry(bytes, elst); // v0: segment_duration, media_time, media_rate
        Track video = Mp4File.open(B_FRAMES).movie().first(TrackKind.VIDEO).orElseThrow();
        long end = video.samples().compositionEnd();

        ByteBuffer.wrap(bytes).putInt(entry + 4, (int) end); // an edit that starts as the last frame ends: legal
        assertEquals(end, Mp4File.parse(ByteBuffer.wrap(bytes)).movie().tracks().getFirst().edits().mediaTime());

        for (long mediaTime : new long[] {end + 1, 1_000_000_000}) {
            ByteBuffer.wrap(bytes).putInt(entry + 4, (int) mediaTime);
            Mp4FormatException e = assertRefused(bytes);
            assertBox(e, "moov/trak/edts/elst", elst.offset(), elst.size());
            assertTrue(e.getMessage().contains("media_time " + mediaTime) && e.getMessage().contains(end + " media"),
                    e.getMessage());
        }
    }

    @Test
    void editsLastingLongerThanTheMovieAreRefusedNamingElst() throws IOException {
        byte[] bytes = Files.readAllBytes(B_FRAMES);
        BoxNode elst = find(Mp4File.open(B_FRAMES).tree(), "moov/trak/edts/elst");
        int entry = firstEntry(bytes, elst);
        ByteBuffer.wrap(bytes).putInt(entry, (int) 4_000_000_000L); // 46 days of a 10 s movie
        Mp4FormatException e = assertRefused(bytes);
        assertBox(e, "moov/trak/edts/elst", elst.offset(), elst.size());
        assertTrue(e.getMessage().contains("4000000000") && e.getMessage().contains("10000-tick movie"),
                e.getMessage());
    }

    @ParameterizedTest(name = "sample_offset {0}")
    @ValueSource(ints = {Integer.MAX_VALUE, Integer.MIN_VALUE, 153_601, -153_601})
    void aCompositionOffsetLongerThanTheTrackIsRefusedNamingCtts(int offset) throws IOException {
        byte[] bytes = Files.readAllBytes(B_FRAMES);
        BoxNode ctts = find(Mp4File.open(B_FRAMES).tree(), STBL + "ctts");
        int entry = firstEntry(bytes, ctts); // sample_count, sample_offset
        ByteBuffer.wrap(bytes).putInt(entry + 4, offset); // the 10 s track is 153600 ticks long
        Mp4FormatException e = assertRefused(bytes);
        assertBox(e, STBL + "ctts", ctts.offset(), ctts.size());
        assertTrue(e.getMessage().contains("sample_offset " + offset) && e.getMessage().contains("153600-tick"),
                e.getMessage());
    }

    @Test
    void aFragmentedTrackMayStartItsEditAnywhere() throws IOException {
        // No samples in moov (they are in moof boxes): nothing to hold media_time against. Phase 3 writes such init
        // segments with the source's media_time and an edit of duration 0, in a movie of duration 0 ("unknown").
        byte[] elst = fullBox("elst", 0, 0, u32(1), u32(5_000_000), u32(1_000_000), u32(0x0001_0000));
        byte[] file = concat(ftyp(), moov(trak(box("edts", elst), stbl(stts(0, 0, 0), stsc(0, 0), stsz(0, 0),
                fullBox("stco", 0, 0, u32(0))))));
        ByteBuffer.wrap(file).putInt(offsetOf(file, "mvhd") + 24, 0); // mvhd v0 duration: unknown
        for (Mp4File mp4 : parsedBothWays(file)) {
            EditList edits = mp4.movie().tracks().getFirst().edits();
            assertEquals(1_000_000, edits.mediaTime());
            assertEquals(5_000_000, edits.duration());
        }
    }

    @Test
    void allOnesDurationsAreUnknownNotFourBillionTicksNorOutOfRange() throws IOException {
        // §8.2.2.3, §8.4.2.3: a duration of all 1s "cannot be determined". ffmpeg -f ismv (Smooth Streaming)
        // writes mdhd v1 with 0xFFFF_FFFF_FFFF_FFFF, which was refused as out of range; in v0, 0xFFFF_FFFF was
        // taken for 4,294,967 s. Unknown is 0, as in fragmented files, and the samples say how long the track is.
        byte[] mdhdV1 = fullBox("mdhd", 1, 0, u64(0), u64(0), u32(1000), u64(-1), u16(0x55C4), u16(0));
        byte[] v1 = concat(ftyp(), box("mdat", zeros(MDAT_SIZE)),
                moov(trak(new byte[0], stbl(BoxWriter.threeSamples()), mdhdV1)));
        byte[] v0 = movie(BoxWriter.threeSamples());
        ByteBuffer.wrap(v0).putInt(offsetOf(v0, "mdhd") + 24, -1); // v0 duration: after times and timescale
        for (byte[] file : List.of(v0, v1)) {
            ByteBuffer.wrap(file).putInt(offsetOf(file, "mvhd") + 24, -1);
            for (Mp4File mp4 : parsedBothWays(file)) {
                Track t = mp4.movie().tracks().getFirst();
                assertEquals(0, t.mediaDuration());
                assertEquals(0, mp4.movie().duration());
                assertEquals(0.3, t.durationSeconds(), 1e-9, "3 samples of 100 ticks at 1000 per second");
                assertEquals(0.3, mp4.durationSeconds(), 1e-9);
            }
        }
    }

    @Test
    void editListsAndCompositionOffsetsFfmpegWritesStillParse() throws Exception {
        // Negative composition offsets (ctts v1), and a leading empty edit of 50 minutes (-itsoffset): legal, kept.
        String ffmpeg = ExternalTools.ffmpeg().toString();
        Path negative = dir.resolve("negative-cts.mp4");
        ExternalTools.run(60, ffmpeg, "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
                "testsrc=size=160x96:rate=10:duration=2", "-c:v", "libx264", "-preset", "ultrafast", "-bf", "2",
                "-g", "10", "-pix_fmt", "yuv420p", "-movflags", "negative_cts_offsets", negative.toString());
        Path delayed = dir.resolve("delayed.mp4");
        ExternalTools.run(60, ffmpeg, "-nostdin", "-v", "error", "-y", "-i", B_FRAMES.toString(), "-itsoffset",
                "3000", "-i", B_FRAMES.toString(), "-map", "0:v", "-map", "1:a", "-c", "copy", delayed.toString());

        Track video = Mp4File.open(negative).movie().first(TrackKind.VIDEO).orElseThrow();
        boolean someNegative = false;
        for (int i = 0; i < video.samples().count(); i++) someNegative |= video.samples().compositionOffset(i) < 0;
        assertTrue(someNegative, "ffmpeg wrote no negative composition offset: the case is not exercised");
        ParserAgreesWithFfprobeTest.assertAgrees(negative);

        Track audio = Mp4File.open(delayed).movie().first(TrackKind.AUDIO).orElseThrow();
        assertEquals(3000.0, (double) audio.edits().delay() / audio.timescale(), 0.05, "the empty edit");
    }

    // ---- Nesting, missing boxes, samples outside the file ----

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"udta", "moov"})
    void tenThousandNestedContainersAreRefusedAsTooDeepNotAStackOverflow(String type) throws IOException {
        // A tower of boxes, each the only child of the one before: 8 bytes of header per level.
        int levels = 10_000;
        ByteBuffer tower = ByteBuffer.allocate(8 * levels);
        for (int i = 0; i < levels; i++) tower.putInt(8 * (levels - i)).put(ascii(type));
        byte[] file = movie(BoxWriter.threeSamples());
        // Put the tower inside moov, after the track: moov's size grows by the tower's.
        int moov = offsetOf(file, "moov");
        file = concat(file, tower.array());
        ByteBuffer.wrap(file).putInt(moov, file.length - moov);

        for (Mp4File mp4 : parsedBothWays(file)) {
            Mp4FormatException e = assertThrows(Mp4FormatException.class, mp4::tree);
            assertTrue(e.getMessage().contains("nested deeper than " + Box.MAX_DEPTH), e.getMessage());
            assertTrue(e.box().startsWith("moov/" + type + "/" + type), e.box());
            assertTrue(e.offset() > moov && e.offset() < file.length, e.getMessage());
            assertThrows(Mp4FormatException.class, () -> Probe.boxes(mp4));
        }
    }

    @Test
    void aFileWithoutMoovSaysSo() throws IOException {
        Mp4FormatException e = assertRefused(concat(ftyp(), box("mdat", zeros(500))));
        assertTrue(e.getMessage().contains("no moov"), e.getMessage());
    }

    @Test
    void aSamplePastTheEndOfTheFileIsRefused() throws IOException {
        byte[] tables = concat(stts(1, 3, 100), stsc(1, 3), stsz(0, 3, u32(100), u32(100), u32(100)));
        byte[] file = movie(tables, stco(0));
        file = movie(tables, stco(file.length - 150)); // the second sample ends 50 bytes past the end
        Mp4FormatException e = assertRefused(file);
        assertBox(e, STBL + "stco", offsetOf(file, "stco"), 20);
        assertTrue(e.getMessage().contains("sample 2") && e.getMessage().contains("past the end"), e.getMessage());
    }

    @Test
    void a64BitChunkOffsetNearTheLimitIsPastTheEndNotAnOverflow() throws IOException {
        // offset + size would overflow a long and look negative, i.e. "inside" the file, if added naively.
        byte[] tables = concat(stts(1, 3, 100), stsc(1, 3), stsz(0, 3, u32(100), u32(100), u32(100)));
        byte[] file = movie(tables, co64(Long.MAX_VALUE - 50));
        Mp4FormatException e = assertRefused(file);
        assertBox(e, STBL + "co64", offsetOf(file, "co64"), 24);
        assertTrue(e.getMessage().contains("past the end"), e.getMessage());
    }

    @Test
    void aSampleOf2GiBOrMoreIsRefusedEvenInAFileThatLarge() throws IOException {
        // Only a file over 2 GiB can hold such a sample; a sparse one costs no disk.
        byte[] head = bigFileHead(0);
        head = bigFileHead(head.length);
        Path file = sparse(head, 3L << 30);
        Mp4FormatException e = assertThrows(Mp4FormatException.class, () -> Mp4File.open(file));
        assertBox(e, STBL + "stsz", offsetOf(head, "stsz"), 24);
        assertTrue(e.getMessage().contains("2415919104"), e.getMessage());
    }

    /** ftyp, moov with one 0x90000000-byte sample at {@code mdatPayload}, then an mdat header of size 0 (to EOF). */
    private static byte[] bigFileHead(int mdatPayload) {
        return concat(ftyp(), moov(trak(stbl(stts(1, 1, 100), stsc(1, 1), stsz(0, 1, u32(0x9000_0000L)),
                stco(mdatPayload)))), u32(0), ascii("mdat"));
    }

    @Test
    void a4BitStz2CountThatOverflowsAnIntIsRefusedNotANegativeArray() throws IOException {
        // 2^31 + 2 four-bit sizes need 2^30 + 1 bytes: a moov over 1 GiB (sparse) can "hold" them, and doubling
        // the byte count back into a sample count must not wrap to a negative array size.
        long count = (1L << 31) + 2;
        byte[] stz2 = fullBox("stz2", 0, 0, zeros(3), new byte[] {4}, u32(count));
        byte[] head = movie(stts(1, 1, 100), stsc(1, 1), stco(MDAT_PAYLOAD), stz2);
        long grow = (1L << 30) + 16;
        for (String type : List.of("moov", "trak", "mdia", "minf", "stbl", "stz2")) {
            ByteBuffer b = ByteBuffer.wrap(head);
            int at = offsetOf(head, type);
            b.putInt(at, (int) (b.getInt(at) + grow));
        }
        Path file = sparse(head, head.length + grow);
        Mp4FormatException e = assertThrows(Mp4FormatException.class, () -> Mp4File.open(file));
        assertBox(e, STBL + "stz2", offsetOf(head, "stz2"), 20 + grow);
    }

    // ---- Paths that are not readable files ----

    @Test
    void aDirectoryIsRefusedAsADirectory() {
        IOException e = assertThrows(IOException.class, () -> Mp4File.open(dir));
        assertTrue(e.getMessage().contains("directory"), e.getMessage());
    }

    @Test
    void aFifoIsRefusedRatherThanWaitedOn() throws Exception {
        // Opening a FIFO for reading blocks until a writer comes: the probe hung on one until killed (an audit).
        Path fifo = dir.resolve("x.mp4");
        Fifos.make(fifo);
        IOException e = assertThrows(IOException.class, () -> Mp4File.open(fifo));
        assertTrue(e.getMessage().contains("not a regular file"), e.getMessage());
    }

    @Test
    void aMissingFileIsNoSuchFile() {
        assertThrows(NoSuchFileException.class, () -> Mp4File.open(dir.resolve("missing.mp4")));
    }

    @Test
    void anUnreadableFileIsAccessDenied() throws IOException {
        Path file = UnreadableFiles.in(dir, Files.readAllBytes(VIDEO_ONLY));
        var e = assertThrows(AccessDeniedException.class, () -> Mp4File.open(file));
        assertEquals(file.toString(), e.getFile());
    }

    // ---- Helpers ----

    /** Refused from memory and from disk with the same message; returns the in-memory error. */
    private Mp4FormatException assertRefused(byte[] input) throws IOException {
        Mp4FormatException fromMemory = assertThrows(Mp4FormatException.class,
                () -> Mp4File.parse(ByteBuffer.wrap(input)));
        Path file = Files.write(Files.createTempFile(dir, "bad", ".mp4"), input);
        Mp4FormatException fromDisk = assertThrows(Mp4FormatException.class, () -> Mp4File.open(file));
        assertEquals(fromMemory.getMessage(), fromDisk.getMessage(), "memory and disk disagree");
        Mp4RobustnessTest.assertNamesAPlaceInTheInput(fromMemory, input.length, "crafted input");
        return fromMemory;
    }

    /** {@link #assertRefused}, and refusing allocated no more than the input justifies. */
    private Mp4FormatException assertRefusedCheaply(byte[] input) throws IOException {
        Mp4FormatException e = assertRefused(input);
        Mp4RobustnessTest.assertAllocationBounded(input, "crafted input");
        return e;
    }

    /**
     * The error names the box at {@code path} and points at or inside it: at its start, at the bad field, or at
     * its very end when the reader had read every field before it saw the contradiction.
     */
    private static void assertBox(Mp4FormatException e, String path, long boxOffset, long boxSize) {
        assertEquals(path, e.box(), e.getMessage());
        assertTrue(e.getMessage().contains(path.substring(path.lastIndexOf('/') + 1)), e.getMessage());
        assertTrue(e.offset() >= boxOffset && e.offset() <= boxOffset + boxSize,
                "offset " + e.offset() + " is not in " + path + " [" + boxOffset + ", " + (boxOffset + boxSize)
                        + "]: " + e.getMessage());
    }

    private List<Mp4File> parsedBothWays(byte[] input) throws IOException {
        Path file = Files.write(Files.createTempFile(dir, "ok", ".mp4"), input);
        return List.of(Mp4File.parse(ByteBuffer.wrap(input)), Mp4File.open(file));
    }

    /** {@code head}, then zeros up to {@code length} bytes that take no disk space. */
    private Path sparse(byte[] head, long length) throws IOException {
        Path file = dir.resolve("sparse.mp4");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                StandardOpenOption.SPARSE)) {
            ch.write(ByteBuffer.wrap(head));
            ch.write(ByteBuffer.wrap(new byte[1]), length - 1);
        }
        return file;
    }

    /** Where the first entry of a version-0 table box (version/flags, entry_count, entries) starts. */
    private static int firstEntry(byte[] file, BoxNode table) {
        int payload = (int) table.offset() + table.headerSize();
        assertEquals(0, file[payload], table.type() + " version");
        return payload + 8;
    }

    private static BoxNode find(List<BoxNode> nodes, String path) {
        String first = path.contains("/") ? path.substring(0, path.indexOf('/')) : path;
        for (BoxNode n : nodes) {
            if (!n.type().equals(first)) continue;
            return first.equals(path) ? n : find(n.children(), path.substring(first.length() + 1));
        }
        throw new AssertionError("no " + path + " in the box tree");
    }
}
