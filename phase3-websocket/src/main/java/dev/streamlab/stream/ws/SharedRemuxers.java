package dev.streamlab.stream.ws;

import dev.streamlab.shared.io.MediaFiles;
import dev.streamlab.stream.fmp4.Fmp4Remuxer;
import dev.streamlab.stream.fmp4.Fmp4Track;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The remuxed videos every {@code /ws/stream} connection shares: one {@link Fmp4Remuxer} per file (one parse, one
 * mapping, one segment plan) instead of one per connection and rung, so the tracks' segment rings
 * ({@link Fmp4Track#sharedSegment}) are shared too — viewers at the same position get the same segment objects.
 *
 * <p>Keyed by real path, size and modification time: a file replaced on disk is remuxed afresh. At most
 * {@code capacity} videos are kept (least recently opened out first; an evicted remuxer stays valid for the
 * connections already holding it, and its mapping goes with the last of them). Concurrent first opens of one file
 * wait for a single remux.
 */
final class SharedRemuxers {
    private record Key(Path file, long size, long modified) {}

    private final int capacity;
    private final ReentrantLock lock = new ReentrantLock(); // never held while remuxing (virtual threads: no pinning)
    private final LinkedHashMap<Key, CompletableFuture<Fmp4Remuxer>> byFile = new LinkedHashMap<>(16, 0.75f, true);
    private long opens;
    private long remuxes;

    SharedRemuxers(int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("capacity " + capacity);
        this.capacity = capacity;
    }

    /** The shared remuxer of {@code file}, remuxed on the first call (or after the file changed). */
    Fmp4Remuxer open(Path file) throws IOException {
        Path real = file.toRealPath();
        BasicFileAttributes a = Files.readAttributes(real, BasicFileAttributes.class);
        // A listed video replaced by a FIFO: refused with the type MediaFiles words for a client, where Mp4File's own
        // refusal is a plain IOException naming the path.
        if (!a.isRegularFile()) throw new MediaFiles.NotRegularFileException(file);
        Key key = new Key(real, a.size(), a.lastModifiedTime().toMillis());
        CompletableFuture<Fmp4Remuxer> mine = new CompletableFuture<>();
        CompletableFuture<Fmp4Remuxer> f;
        lock.lock();
        try {
            opens++;
            f = byFile.putIfAbsent(key, mine);
            if (f == null) {
                f = mine;
                remuxes++;
                while (byFile.size() > capacity) byFile.pollFirstEntry();
            }
        } finally {
            lock.unlock();
        }
        if (f == mine) {
            try {
                mine.complete(Fmp4Remuxer.open(real));
            } catch (IOException | RuntimeException e) {
                mine.completeExceptionally(e);
                lock.lock();
                try {
                    byFile.remove(key, mine); // a failure is not cached: the next open tries again
                } finally {
                    lock.unlock();
                }
            }
        }
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while " + real.getFileName() + " was remuxed", e);
        } catch (ExecutionException e) {
            switch (e.getCause()) {
                case IOException io -> throw io;
                case RuntimeException r -> throw r;
                default -> throw new UncheckedIOException(new IOException(e.getCause()));
            }
        }
    }

    /** Opens answered so far, and how many of them remuxed (the rest shared a remuxer). */
    long[] opensAndRemuxes() {
        lock.lock();
        try {
            return new long[] {opens, remuxes};
        } finally {
            lock.unlock();
        }
    }

    /** Segment-ring hits and misses summed over the tracks of the videos kept now. */
    long[] ringHitsAndMisses() {
        long hits = 0;
        long misses = 0;
        for (CompletableFuture<Fmp4Remuxer> f : snapshot().values()) {
            Fmp4Remuxer r = f.getNow(null);
            if (r == null) continue;
            for (Fmp4Track t : r.tracks()) {
                hits += t.ringHits();
                misses += t.ringMisses();
            }
        }
        return new long[] {hits, misses};
    }

    private Map<Key, CompletableFuture<Fmp4Remuxer>> snapshot() {
        lock.lock();
        try {
            return new LinkedHashMap<>(byFile);
        } finally {
            lock.unlock();
        }
    }
}
