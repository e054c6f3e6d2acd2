package dev.streamlab.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The files the load test serves, generated once and cached outside the repository (default
 * {@code /tmp/streamlab-bench/media}), so repeat runs skip the minute of writing.
 *
 * <ul>
 *   <li>{@code bench-large.mp4}: the bundled 30 s sample followed by one {@code free} box (64-bit largesize) that
 *   pads the file to {@code size} bytes with copies of the sample. It is a valid MP4 — the phase 2 catalog parses
 *   it, a player plays its first 30 s — and, for the range tests, simply a large file: every byte is real.</li>
 *   <li>{@code bench-64k.mp4}: the first 64 KiB of it, a file small enough that serving it whole is a fair
 *   request for a server without Range support (jwebserver). Not a complete MP4; every server sends it anyway.</li>
 * </ul>
 *
 * @param dir       the media folder (world-readable: nginx's workers run as {@code nobody} when started as root)
 * @param large     the large file
 * @param largeSize its size in bytes
 * @param small     the 64 KiB file
 */
record BenchMedia(Path dir, Path large, long largeSize, Path small) {
    static final String LARGE_ID = "bench-large";
    static final String SMALL_ID = "bench-64k";
    static final int SMALL_SIZE = 64 * 1024;

    /**
     * Creates (or reuses) the files in {@code cacheDir/media} and reads the large one once so it is in the page
     * cache: the test measures servers, not the disk.
     *
     * @throws IOException when the sample cannot be read or the folder cannot be written
     */
    static BenchMedia prepare(Path cacheDir, Path sample, long size, PrintStream log) throws IOException {
        Path dir = cacheDir.resolve("media");
        Files.createDirectories(dir);
        readableByAll(cacheDir, "rwxr-xr-x");
        readableByAll(dir, "rwxr-xr-x");
        Path large = dir.resolve(LARGE_ID + ".mp4");
        Path small = dir.resolve(SMALL_ID + ".mp4");
        if (!Files.isRegularFile(large) || Files.size(large) != size
                || Files.getLastModifiedTime(large).compareTo(Files.getLastModifiedTime(sample)) < 0) {
            log.printf("bench: writing %s (%,d bytes; cached for the next run)%n", large, size);
            writeLarge(sample, large, size);
        }
        if (!Files.isRegularFile(small) || Files.size(small) != SMALL_SIZE
                || Files.getLastModifiedTime(small).compareTo(Files.getLastModifiedTime(large)) < 0) {
            byte[] head = new byte[SMALL_SIZE];
            try (FileChannel in = FileChannel.open(large)) {
                in.read(ByteBuffer.wrap(head), 0);
            }
            Files.write(small, head);
        }
        readableByAll(large, "rw-r--r--");
        readableByAll(small, "rw-r--r--");
        warm(large);
        return new BenchMedia(dir, large, size, small);
    }

    /** The sample, then {@code free} (size field 1, 64-bit largesize) filled with copies of the sample. */
    private static void writeLarge(Path sample, Path target, long size) throws IOException {
        byte[] sampleBytes = Files.readAllBytes(sample);
        long freeSize = size - sampleBytes.length;
        if (freeSize < 16) throw new IllegalArgumentException("size " + size + " is smaller than the sample");
        Path tmp = target.resolveSibling(target.getFileName() + ".part");
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            writeFully(out, ByteBuffer.wrap(sampleBytes));
            ByteBuffer header = ByteBuffer.allocate(16).putInt(1).put("free".getBytes(StandardCharsets.US_ASCII))
                    .putLong(freeSize).flip();
            writeFully(out, header);
            long left = freeSize - 16;
            ByteBuffer pad = ByteBuffer.wrap(sampleBytes);
            while (left > 0) {
                pad.clear().limit((int) Math.min(sampleBytes.length, left));
                left -= pad.remaining();
                writeFully(out, pad);
            }
        }
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void writeFully(FileChannel out, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) out.write(b);
    }

    /** Reads the file once into a reused direct buffer, which brings it into the page cache. */
    private static void warm(Path file) throws IOException {
        ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
        try (FileChannel in = FileChannel.open(file)) {
            while (in.read(buf.clear()) >= 0) {
                // nothing: reading is the point
            }
        }
    }

    private static void readableByAll(Path p, String perms) throws IOException {
        try {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(perms));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: nginx's user question does not arise there
        }
    }
}
