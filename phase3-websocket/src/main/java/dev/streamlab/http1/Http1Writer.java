package dev.streamlab.http1;

import dev.streamlab.http.io.ByteProvenance;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.util.function.LongConsumer;

/**
 * Every byte a connection sends goes through here: blocking writes of buffers (gathering several into one system
 * call) and {@code FileChannel.transferTo} of file regions, each call under the write-stall deadline.
 *
 * <p><b>Copies per body byte, disk to socket</b> ({@link #transfer}):
 * <ul>
 *   <li>{@code transferTo} is {@code sendfile(2)} on Linux: the kernel moves the bytes from the page cache to the
 *       socket buffer; they never enter this process. <b>0 user-space copies.</b></li>
 *   <li>The fallback, when {@code transferTo} returns 0 (below): {@code read(2)} into a pooled <em>direct</em> buffer,
 *       then {@code write(2)} from it. The JDK adds no copy for a direct buffer, so the byte lands in our memory once:
 *       counted as <b>1 user-space copy</b>. (Phase 2's strategies do not count the {@code read(2)} into the JDK's
 *       temporary buffer, only the copies after it; by that rule this would be 0. We count it, so that "0 copies
 *       per byte" means "never entered user space", and the fallback cannot hide.)</li>
 * </ul>
 * Shown by {@link ByteProvenance} ({@code streamlab_http_userspace_copy_bytes_total} and
 * {@code streamlab_http_copies_per_byte} in {@code /metrics}, {@code copies_per_byte} in {@code /api/stats}), and
 * {@code streamlab_http_transferto_zero_returns_total} for how often the fallback ran.
 *
 * <p><b>Why transferTo returns 0.</b> The first time a virtual thread reads, writes or connects on a socket, the JDK
 * puts it in non-blocking mode underneath (so that a blocked read or write parks the virtual thread instead of its
 * carrier); here that is the request's first {@code read}. {@code transferTo} alone does not switch it: on a socket no
 * virtual thread has read or written yet, {@code sendfile} would block holding the carrier (notebook 4, cell 10).
 * {@code read} and {@code write} handle {@code EAGAIN} by parking until the socket is ready; {@code transferTo} does
 * not: {@code sendfile} says {@code EAGAIN} when the socket buffer is full and {@code transferTo} returns 0. A loop
 * that simply calls it again spins a core until the client drains the buffer. Instead we write one small chunk
 * through a pooled direct buffer with a blocking {@code write}, which parks properly until the socket has room, and
 * then resume {@code transferTo}.
 * The chunk is small ({@link #FALLBACK_CHUNK}) so that few bytes take the copying path. On a platform thread the
 * socket stays blocking, {@code sendfile} blocks, and this never happens.
 */
final class Http1Writer {
    /** Bytes per fallback write: enough to wait for room, small enough to copy little. */
    static final int FALLBACK_CHUNK = 16 * 1024;
    /**
     * The most one {@code transferTo} call may send. On a platform thread {@code sendfile} blocks until its whole
     * count is sent, and the write-stall deadline covers one call: a call for the rest of a 1 GiB file to a slow but
     * steady reader would look stalled. nginx bounds its calls the same way ({@code sendfile_max_chunk}, 2 MiB).
     */
    static final long TRANSFER_CHUNK = 1024 * 1024;

    private final SocketChannel channel;
    private final Http1Watchdog.Watched watch;
    private final long stallNanos;
    private final DirectBufferPool pool;
    private final Http1Events events;

    Http1Writer(SocketChannel channel, Http1Watchdog.Watched watch, long stallNanos, DirectBufferPool pool,
            Http1Events events) {
        this.channel = channel;
        this.watch = watch;
        this.stallNanos = stallNanos;
        this.pool = pool;
        this.events = events;
    }

    /**
     * Writes every remaining byte of {@code buffers}, in order: a gathering write ({@code writev(2)}) per call. A
     * blocking write returns after some progress, so the stall deadline restarts with each call.
     *
     * @param progress told the bytes of each call, as they go
     */
    void write(ByteBuffer[] buffers, LongConsumer progress) throws IOException {
        long left = 0;
        for (ByteBuffer b : buffers) left += b.remaining();
        while (left > 0) {
            watch.writeBy(stallNanos);
            long n;
            try {
                n = channel.write(buffers);
            } finally {
                watch.clearWrite();
            }
            left -= n;
            progress.accept(n);
        }
    }

    /**
     * Sends bytes {@code [position, position + count)} of {@code file}: {@code transferTo} (sendfile), with the
     * fallback described in the class comment when it returns 0.
     *
     * @param provenance counts the bytes sent and the bytes copied into user space
     * @throws EOFException when the file ends before {@code position + count} (it shrank while being sent)
     */
    void transfer(FileChannel file, long position, long count, ByteProvenance provenance, LongConsumer progress)
            throws IOException {
        long pos = position;
        long end = position + count;
        while (pos < end) {
            watch.writeBy(stallNanos); // a platform thread blocks in sendfile; the watchdog can close it there
            long n;
            try {
                n = file.transferTo(pos, Math.min(TRANSFER_CHUNK, end - pos), channel);
            } finally {
                watch.clearWrite();
            }
            if (n == 0) {
                n = copyOneChunk(file, pos, (int) Math.min(FALLBACK_CHUNK, end - pos));
                events.transferToReturnedZero();
                provenance.copied(n); // read(2) into our direct buffer: the byte entered user space (class comment)
            }
            pos += n;
            provenance.sent(n);
            progress.accept(n);
        }
    }

    /** The fallback: {@code read(2)} into a pooled direct buffer, then blocking writes, which park until there is room. */
    private int copyOneChunk(FileChannel file, long position, int length) throws IOException {
        ByteBuffer chunk = pool.acquire();
        try {
            chunk.limit(length);
            while (chunk.hasRemaining()) {
                int r = file.read(chunk, position + chunk.position());
                if (r < 0) throw new EOFException("the file ended at byte " + (position + chunk.position())
                        + " while it was being sent: it shrank");
            }
            chunk.flip();
            write(new ByteBuffer[] {chunk}, n -> { });
            return length;
        } finally {
            pool.release(chunk);
        }
    }
}
