package dev.streamlab.mp4;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * An MP4 (ISO/IEC 14496-12 ISO base media file) opened for reading: its top-level boxes, brands and the parsed
 * {@code moov}.
 *
 * <p>How it reads, and what it copies:
 * <ul>
 *   <li>Top-level box headers are read with positional {@code FileChannel} reads of at most 32 bytes each, so
 *       {@code mdat} (the media, nearly the whole file) is never read, whatever its size, but for the 4-byte
 *       frame header that starts an MP3 track's first sample: the channel count is there, not in the sample entry
 *       (see {@link SampleEntries#withBitstream}).</li>
 *   <li>{@code moov} is memory-mapped ({@code FileChannel.map}); every box inside it is a {@code slice()} of that
 *       mapping. Parsing copies no box bytes into the Java heap: the kernel maps page-cache pages, and only the
 *       numbers the sample tables hold are materialized into arrays.</li>
 *   <li>A fragmented file's {@code moof} boxes (its sample tables, see {@link Fragments}) are read one at a time
 *       into a heap buffer, parsed into the same arrays and dropped.</li>
 * </ul>
 * The channel is closed when {@link #open} returns; the mapping stays valid until it is garbage collected.
 */
public final class Mp4File {
    /** A real file has a few dozen top-level boxes; fragmented ones a few thousand. Beyond this, refuse. */
    public static final int MAX_TOP_LEVEL_BOXES = 100_000;

    /**
     * Boxes an MP4, a fragmented MP4 segment or a QuickTime file can start with. Checking the first type is how
     * "this is not an MP4 at all" (a text file, a PNG) is told apart from "this MP4 is damaged".
     */
    private static final java.util.Set<Integer> FIRST_BOX_TYPES = java.util.Set.of(FourCC.FTYP, FourCC.STYP,
            FourCC.MOOV, FourCC.MDAT, FourCC.FREE, FourCC.SKIP, FourCC.WIDE, FourCC.UUID, FourCC.SIDX, FourCC.MOOF,
            FourCC.PDIN, FourCC.META, FourCC.of("pnot"), FourCC.of("junk"));

    private final long size;
    private final List<BoxHeader> topLevel;
    private final Box moov;
    private final Movie movie;
    private final String majorBrand;
    private final List<String> compatibleBrands;

    private Mp4File(long size, List<BoxHeader> topLevel, Box moov, Movie movie, String majorBrand,
                    List<String> compatibleBrands) {
        this.size = size;
        this.topLevel = List.copyOf(topLevel);
        this.moov = moov;
        this.movie = movie;
        this.majorBrand = majorBrand;
        this.compatibleBrands = List.copyOf(compatibleBrands);
    }

    /**
     * Opens and parses the MP4 at {@code path}.
     *
     * @throws NoSuchFileException   when nothing is at {@code path}
     * @throws AccessDeniedException when it cannot be read
     * @throws Mp4FormatException    when the bytes are not a well-formed MP4 (names the box and offset)
     * @throws IOException           for a directory or a read error
     */
    public static Mp4File open(Path path) throws IOException {
        if (Files.isDirectory(path)) throw new IOException(path + " is a directory, not an MP4 file");
        if (!Files.exists(path)) {
            // exists() follows links: a link to a missing file or a link loop (ELOOP) is "nothing there" too, but
            // "no such file" about a name the user can see in ls would send them looking in the wrong place.
            throw new NoSuchFileException(path.toString(), null, Files.isSymbolicLink(path)
                    ? "a symbolic link to nothing (its target is missing, or the links form a loop)" : "no such file");
        }
        if (!Files.isReadable(path)) throw new AccessDeniedException(path.toString(), null, "not readable");
        // A FIFO or device would block the open (a FIFO waits for a writer) or never end: an MP4 is a regular file.
        if (!Files.isRegularFile(path)) throw new IOException(path + " is not a regular file (a pipe or a device?)");
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            ByteBuffer header = ByteBuffer.allocate(BoxHeader.MAX_HEADER_SIZE);
            return parse(size, new Bytes() {
                @Override
                public ByteBuffer at(long offset, int length) throws IOException {
                    if (length <= BoxHeader.MAX_HEADER_SIZE) { // a header: a small positional read
                        header.clear().limit(length);
                        while (header.hasRemaining() && ch.read(header, offset + header.position()) >= 0) { }
                        return header.flip();
                    }
                    return ch.map(FileChannel.MapMode.READ_ONLY, offset, length); // moov: mapped, not read
                }

                @Override
                public ByteBuffer copy(long offset, int length) throws IOException {
                    ByteBuffer b = ByteBuffer.allocate(length);
                    while (b.hasRemaining()) {
                        if (ch.read(b, offset + b.position()) < 0) {
                            throw new IOException(path + " became shorter while it was read");
                        }
                    }
                    return b.flip();
                }
            });
        }
    }

    /** Parses an MP4 held in memory (a fuzzer's input, a test's crafted bytes). The buffer is not copied. */
    public static Mp4File parse(ByteBuffer data) throws Mp4FormatException {
        ByteBuffer all = data.slice().asReadOnlyBuffer();
        try {
            return parse(all.limit(), (offset, length) -> all.slice((int) offset, length));
        } catch (Mp4FormatException e) {
            throw e;
        } catch (IOException e) {
            throw new IllegalStateException("in-memory reads do not fail", e);
        }
    }

    /** How the parser gets bytes: {@code length} bytes at {@code offset}, already bounds-checked. */
    @FunctionalInterface
    private interface Bytes {
        ByteBuffer at(long offset, int length) throws IOException;

        /**
         * The same bytes, for a box read once and dropped ({@code moof}): a fragmented file has thousands, and a
         * mapping each would outlive its use until a GC, against the process's limit on mappings.
         */
        default ByteBuffer copy(long offset, int length) throws IOException {
            return at(offset, length);
        }
    }

    /** A moof holds a few hundred samples' fields; 64 MiB is four million. Beyond it, refuse. */
    static final int MAX_MOOF_SIZE = 64 << 20;

    private static Mp4File parse(long size, Bytes bytes) throws IOException {
        if (size == 0) throw new Mp4FormatException("", 0, "the file is empty");
        List<BoxHeader> top = new ArrayList<>();
        List<BoxHeader> moofs = new ArrayList<>();
        BoxHeader moovHeader = null;
        BoxHeader ftyp = null;
        long pos = 0;
        while (size - pos >= 8) {
            if (top.size() == MAX_TOP_LEVEL_BOXES) {
                throw new Mp4FormatException("", pos, "more than " + MAX_TOP_LEVEL_BOXES + " top-level boxes");
            }
            int n = (int) Math.min(BoxHeader.MAX_HEADER_SIZE, size - pos);
            ByteBuffer hb = bytes.at(pos, n);
            int type = hb.getInt(hb.position() + 4);
            if (top.isEmpty() && !FIRST_BOX_TYPES.contains(type)) {
                throw new Mp4FormatException("", pos, "not an MP4 (ISO-BMFF) file: it should start with a box such"
                        + " as 'ftyp', but bytes 4-7 are '" + FourCC.toString(type) + "'");
            }
            if (!FourCC.isPrintable(type)) {
                throw new Mp4FormatException("", pos, "'" + FourCC.toString(type)
                        + "' is not a box type: the file is corrupt");
            }
            BoxHeader h = BoxHeader.read(hb, pos, size - pos, "");
            if (h.type() == FourCC.MOOV) {
                if (moovHeader != null) throw new Mp4FormatException("moov", pos, "a second moov box (the first is at "
                        + moovHeader.offset() + ")");
                moovHeader = h;
            } else if (h.type() == FourCC.FTYP && ftyp == null) {
                ftyp = h;
            } else if (h.type() == FourCC.MOOF) {
                if (h.size() > MAX_MOOF_SIZE) throw new Mp4FormatException("moof", pos, "moof of " + h.size()
                        + " bytes: more than the " + MAX_MOOF_SIZE + " supported");
                moofs.add(h);
            }
            top.add(h);
            pos = h.end();
        }
        if (pos == 0 && size > 0) {
            // Not one whole box: "truncated" would suggest a cut-off MP4 where the file may be anything short.
            throw new Mp4FormatException("", 0, "only " + size + " bytes, fewer than one box header (8): not an MP4");
        }
        if (pos < size) {
            throw new Mp4FormatException("", pos, (size - pos) + " stray bytes after the last box, too few for a box"
                    + " header: truncated file?");
        }
        if (moovHeader == null) {
            throw new Mp4FormatException("", 0, "no moov box, so no track or sample is described"
                    + (top.stream().anyMatch(b -> b.type() == FourCC.MDAT) ? " (truncated download?)" : ""));
        }
        String major = "";
        List<String> compatible = new ArrayList<>();
        if (ftyp != null) {
            if (ftyp.size() > 4096) throw new Mp4FormatException("ftyp", ftyp.offset(), "ftyp of " + ftyp.size()
                    + " bytes: a brand list is never that long");
            Box f = new Box(ftyp, "ftyp", 0, bytes.at(ftyp.offset(), (int) ftyp.size()));
            PayloadReader r = f.reader();
            major = FourCC.toString(r.i32("major_brand"));
            r.u32("minor_version");
            while (r.remaining() >= 4) compatible.add(FourCC.toString(r.i32("compatible_brand")));
        }
        if (moovHeader.size() > Integer.MAX_VALUE) {
            throw new Mp4FormatException("moov", moovHeader.offset(), "moov of " + moovHeader.size()
                    + " bytes is larger than 2 GiB");
        }
        ByteBuffer moovBytes = bytes.at(moovHeader.offset(), (int) moovHeader.size()).order(ByteOrder.BIG_ENDIAN);
        Box moov = new Box(moovHeader, "moov", 0, moovBytes);
        Movie movie = MovieParser.parse(moov, size, moofs,
                h -> new Box(h, "moof", 0, bytes.copy(h.offset(), (int) h.size()).order(ByteOrder.BIG_ENDIAN)),
                bytes::at);
        return new Mp4File(size, top, moov, movie, major, compatible);
    }

    /** File size in bytes. */
    public long size() {
        return size;
    }

    /** Top-level box headers in file order. */
    public List<BoxHeader> topLevel() {
        return topLevel;
    }

    /** The {@code moov} box, a view into the mapping. */
    public Box moov() {
        return moov;
    }

    public Movie movie() {
        return movie;
    }

    /** {@code ftyp} major brand ("" when the file has no {@code ftyp}, as old QuickTime files do not). */
    public String majorBrand() {
        return majorBrand;
    }

    public List<String> compatibleBrands() {
        return compatibleBrands;
    }

    /**
     * True when {@code moov} comes before the first {@code mdat} ("faststart"): a browser can start playing after
     * the first bytes. False means it must fetch the end of the file first.
     */
    public boolean moovBeforeMdat() {
        for (BoxHeader h : topLevel) {
            if (h.type() == FourCC.MOOV) return true;
            if (h.type() == FourCC.MDAT) return false;
        }
        return true;
    }

    /**
     * Presentation duration: {@code mvhd}'s, or the longest track's when {@code mvhd} says 0. In a fragmented file,
     * whose {@code mvhd} covers at most the samples in {@code moov}, it is when the last sample of any track stops
     * being shown (as ffprobe has it): without an edit list to hide it, B-frame reordering delay makes the video
     * end later than its duration.
     */
    public double durationSeconds() {
        double d = movie.durationSeconds();
        if (d > 0 && movie.fragments() == 0) return d;
        for (Track t : movie.tracks()) {
            d = Math.max(d, t.durationSeconds());
            if (movie.fragments() > 0 && t.samples().count() > 0) {
                d = Math.max(d, (double) (t.samples().compositionEnd() + t.edits().shift()) / t.timescale());
            }
        }
        return d;
    }

    /** The box tree: top-level boxes, with {@code moov} expanded down to the codec configuration boxes. */
    public List<BoxNode> tree() throws Mp4FormatException {
        List<BoxNode> out = new ArrayList<>(topLevel.size());
        for (BoxHeader h : topLevel) out.add(h.type() == FourCC.MOOV ? BoxNode.of(moov) : BoxNode.leaf(h));
        return out;
    }
}
