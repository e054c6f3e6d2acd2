package dev.streamlab.stream.fmp4;

import dev.streamlab.shared.io.FileStamp;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The source file mapped into memory once ({@code FileChannel.map}, read-only), handing out sample payloads as
 * {@code slice()}s: views of the page cache, never copies.
 *
 * <p>One {@link MappedByteBuffer} is indexed by {@code int}, so it covers at most 2 GiB. Larger files are mapped as
 * overlapping windows: window {@code w} starts at {@code w × step} and is {@code 2 × step} long, so any byte range
 * shorter than {@code step} that starts in window {@code w}'s first half lies wholly inside window {@code w}. With
 * the default step of 512 MiB that covers every real sample (a 4K keyframe is a few MB) and every run of contiguous
 * samples the segment writer asks for (it cuts runs at {@link #MAX_RUN}).
 *
 * <p>The mapping outlives the channel (closed before the constructor returns) and is unmapped by the garbage
 * collector once no slice refers to it: a segment being written keeps its part of the file mapped.
 */
final class MappedMedia {
    /** Window step: 512 MiB, so windows are 1 GiB (the second half overlaps the next window's first). */
    static final long DEFAULT_STEP = 512L << 20;
    /** Longest range {@link #slice} serves; runs of contiguous samples are cut at this length. */
    static final int MAX_RUN = 64 << 20;

    private final long size;
    private final long step;
    private final MappedByteBuffer[] windows;
    private final Path file;
    private final FileStamp mapped; // the file as it was when mapped

    private MappedMedia(long size, long step, MappedByteBuffer[] windows, Path file, FileStamp mapped) {
        this.size = size;
        this.step = step;
        this.windows = windows;
        this.file = file;
        this.mapped = mapped;
    }

    static MappedMedia map(Path file) throws IOException {
        return map(file, DEFAULT_STEP);
    }

    /** {@code step} is a parameter so a test can exercise window boundaries on a small file. */
    static MappedMedia map(Path file, long step) throws IOException {
        if (step < 1 || step > Integer.MAX_VALUE / 2) throw new IllegalArgumentException("window step " + step);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            FileStamp stamp = FileStamp.of(Files.readAttributes(file, BasicFileAttributes.class));
            long size = ch.size();
            int count = size <= 2 * step ? 1 : (int) ((size - 1) / step); // last window starts before size - step
            MappedByteBuffer[] windows = new MappedByteBuffer[Math.max(1, count)];
            for (int w = 0; w < windows.length; w++) {
                long start = w * step;
                long length = Math.min(size - start, w == windows.length - 1 ? size - start : 2 * step);
                windows[w] = ch.map(FileChannel.MapMode.READ_ONLY, start, length);
            }
            return new MappedMedia(size, step, windows, file, stamp);
        }
    }

    /**
     * Whether the mapped bytes are still the file's bytes as mapped (one stat). The mapping is of the file itself, not
     * a copy: a rewrite in place shows through it, and after a truncation in place every page past the new end
     * faults when touched (SIGBUS: an {@code InternalError} when Java copies from the slice, {@code EFAULT}, an
     * {@code IOException}, when a socket write reads it). A new file moved over the name, or the name deleted, leaves
     * the mapped file as it was: still intact.
     */
    boolean intact() {
        BasicFileAttributes now;
        try {
            now = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (IOException gone) {
            return true; // deleted (or unreadable by name): the mapping keeps the old file's bytes alive
        }
        if (mapped.fileKey() != null && !mapped.fileKey().equals(now.fileKey())) return true; // replaced by another
        return mapped.matches(now);
    }

    long size() {
        return size;
    }

    /**
     * A read-only view of {@code length} bytes at {@code offset} in the file; no byte is copied.
     *
     * @throws IndexOutOfBoundsException when the range is not inside the file or is longer than the window step
     */
    ByteBuffer slice(long offset, int length) {
        if (offset < 0 || length < 0 || offset > size - length) {
            throw new IndexOutOfBoundsException(length + " bytes at " + offset + " in a " + size + "-byte file");
        }
        int w = (int) Math.min(offset / step, windows.length - 1);
        long start = w * step;
        MappedByteBuffer window = windows[w];
        if (offset + length - start > window.capacity()) {
            throw new IndexOutOfBoundsException(length + " bytes at " + offset + " cross a mapping window");
        }
        return window.slice((int) (offset - start), length); // read-only: the window was mapped READ_ONLY
    }
}
