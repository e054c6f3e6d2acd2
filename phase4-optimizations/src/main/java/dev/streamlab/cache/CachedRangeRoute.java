package dev.streamlab.cache;

import dev.streamlab.catalog.Catalog;
import dev.streamlab.catalog.VideoEntry;
import dev.streamlab.http.range.ByteRange;
import dev.streamlab.http.range.MultipartByteranges;
import dev.streamlab.http.range.RangeRequest;
import dev.streamlab.http.range.Representation;
import dev.streamlab.http.range.ResponsePlan;
import dev.streamlab.http1.DirectBufferPool;
import dev.streamlab.http1.Http1Exchange;
import dev.streamlab.http1.Http1Handler;
import dev.streamlab.phase3.OpenFiles;
import dev.streamlab.shared.io.MediaFiles;
import dev.streamlab.shared.text.ClientText;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code GET|HEAD /cached/videos/{id}}: phase 3's {@code /videos/{id}} — the same RFC 9110 range and conditional
 * semantics, decided by phase 2's {@link RangeRequest#plan} — with the body written from {@link ChunkCache} views of
 * 1 MiB-aligned file chunks instead of {@code sendfile}.
 *
 * <p><b>Copies per body byte in user space:</b> a chunk's first request reads it into a direct buffer (1 copy, the
 * {@code read(2)}); every request after that writes views of that buffer (0: a direct buffer goes to
 * {@code write(2)} as it is). A range inside one chunk still reads the whole chunk on a miss, so a cold cache can read
 * more than it sends. {@code streamlab_cache_copies_per_byte} = loaded / sent. {@code /videos/{id}} next to it does
 * 0 with no memory of its own, which is the comparison {@code CacheBench} makes.
 *
 * <p><b>Memory reused, not allocated per miss.</b> A miss reads into a 1 MiB direct buffer from {@link #buffers}; the
 * views are taken as {@link ChunkCache.Lease}s and closed once the write that sent them has returned, so a chunk
 * evicted (or, with the cache off, never kept) goes back to the pool when no response is still writing it, and the
 * next miss reads into it. {@code streamlab_cache_chunk_buffers_allocated} counts the pool's new buffers; under a
 * stream of misses it stays near the cache's entries plus the misses in flight, where it used to grow by one per miss.
 */
public final class CachedRangeRoute implements Http1Handler {
    public static final String PREFIX = "/cached/videos/";
    /** Chunk size: large enough that a 1 MiB player request touches 1–2 entries, small enough to share. */
    public static final int CHUNK = 1 << 20;
    /** Views gathered into one write: bounded, so a whole-file response does not build a huge array. */
    private static final int GATHER = 8;
    /** Idle chunk buffers kept: enough for the misses of a busy moment; more are left to the GC. */
    private static final int IDLE_BUFFERS = 32;

    private final Catalog catalog;
    private final OpenFiles files;
    private final ChunkCache<CacheKey> cache;
    private final DirectBufferPool buffers = new DirectBufferPool(CHUNK, IDLE_BUFFERS);

    /** @param files phase 3's table of open video files: a request costs one {@code statx}, not an open and close */
    public CachedRangeRoute(Catalog catalog, OpenFiles files, ChunkCache<CacheKey> cache) {
        this.catalog = catalog;
        this.files = files;
        this.cache = cache;
    }

    /** Chunk buffers allocated so far (the rest of the misses reused one). */
    public long buffersAllocated() {
        return buffers.allocated();
    }

    @Override
    public void handle(Http1Exchange ex) throws IOException {
        if (!ex.method().equals("GET") && !ex.method().equals("HEAD")) {
            ex.header("Allow", "GET, HEAD");
            ex.error(405, "use GET or HEAD");
            return;
        }
        String id = ex.request().path().substring(PREFIX.length());
        Optional<VideoEntry> entry = catalog.find(id);
        if (entry.isEmpty()) {
            ex.error(404, "no video with id '" + ClientText.shorten(id) + "'");
            return;
        }
        OpenFiles.Open open;
        try {
            // One statx of the path; the channel stays open across requests while the file is unchanged (OpenFiles).
            open = files.get(entry.get().file());
        } catch (FileSystemException e) {
            // Removed, or since the listing no longer a file that can be opened (a FIFO, a link loop: OpenFiles).
            // Not an IOException for the connection to take for a client gone: this client waits for an answer.
            ex.error(404, "video '" + entry.get().id() + "' " + MediaFiles.whyUnavailable(e));
            return;
        }
        try (open) { // the hold on the kept channel, given back when this response is done (OpenFiles)
            FileChannel file = open.channel(); // shared: read at absolute positions, never closed here
            FileIdentity identity = new FileIdentity(entry.get().file(), open.size(), open.mtime(),
                    open.fileKey());
            Representation rep = new Representation(open.size(), "video/mp4", open.validators());
            ResponsePlan plan = RangeRequest.plan(ex.method(), ex.request()::header, rep);
            for (ResponsePlan.Header h : plan.headers()) ex.header(h.name(), h.value());
            ex.header("Cache-Control", "no-cache");
            ex.sendHeaders(plan.status(), plan.contentLength());
            if (ex.head() || plan.contentLength() <= 0) return;
            long before = ex.bodyBytes();
            try {
                switch (plan) {
                    case ResponsePlan.Whole w -> send(ex, file, identity, 0, identity.size());
                    case ResponsePlan.Single s -> send(ex, file, identity, s.range().start(), s.range().length());
                    case ResponsePlan.Multi m -> {
                        // RFC 9110 §14.6: each part's header block, then its bytes; then the close delimiter.
                        MultipartByteranges body = m.body();
                        for (MultipartByteranges.Part part : body.parts()) {
                            ex.write(part.header());
                            ByteRange r = part.range();
                            send(ex, file, identity, r.start(), r.length());
                        }
                        ex.write(body.closeDelimiter());
                    }
                    default -> throw new IllegalStateException("a " + plan.status() + " has no body");
                }
            } finally {
                cache.sent(ex.bodyBytes() - before);
            }
        }
    }

    /**
     * Writes bytes {@code [start, start + length)} as views of cached chunks, a few chunks per gathering write; each
     * batch's leases are closed once its write has returned (or failed): the kernel has copied the bytes by then.
     */
    private void send(Http1Exchange ex, FileChannel file, FileIdentity identity, long start, long length)
            throws IOException {
        long end = start + length; // exclusive
        List<ChunkCache<CacheKey>.Lease> batch = new ArrayList<>(GATHER);
        try {
            for (long index = start / CHUNK; index * CHUNK < end; index++) {
                FileChunk key = new FileChunk(identity, CHUNK, index);
                int from = (int) Math.max(0, start - key.start());
                int to = (int) Math.min(key.length(), end - key.start());
                // The part of the chunk this response sends: the view covers it, and a hit counts it as saved.
                batch.add(cache.lease(key, k -> read(file, k), buffers::release, from, to));
                if (batch.size() == GATHER) writeAndClose(ex, batch);
            }
            if (!batch.isEmpty()) writeAndClose(ex, batch);
        } finally {
            for (ChunkCache<CacheKey>.Lease l : batch) l.close(); // a failed write or read: nothing still sends them
        }
    }

    private static void writeAndClose(Http1Exchange ex, List<ChunkCache<CacheKey>.Lease> batch) throws IOException {
        ByteBuffer[] views = new ByteBuffer[batch.size()];
        for (int i = 0; i < views.length; i++) views[i] = batch.get(i).view();
        try {
            ex.write(views);
        } finally {
            for (ChunkCache<CacheKey>.Lease l : batch) l.close();
            batch.clear();
        }
    }

    /**
     * A miss: the chunk read into a pooled direct buffer (1 user-space copy per byte, paid once per chunk while
     * cached). Every byte of the entry is overwritten, so what the buffer's last user left never shows.
     */
    private ByteBuffer read(FileChannel file, FileChunk key) throws IOException {
        ByteBuffer b = buffers.acquire().limit(key.length());
        try {
            long pos = key.start();
            while (b.hasRemaining()) {
                int n = file.read(b, pos + b.position());
                if (n < 0) throw new EOFException("the file ended at " + (pos + b.position()) + ", before chunk "
                        + key.index() + " was read: it changed while being served");
            }
        } catch (IOException | RuntimeException e) {
            buffers.release(b); // never handed to the cache
            throw e;
        }
        return b.flip();
    }
}
