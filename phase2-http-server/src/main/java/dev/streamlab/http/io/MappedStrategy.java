package dev.streamlab.http.io;

import dev.streamlab.shared.io.MappingFault;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;

/**
 * The file is memory-mapped once (shared by all requests, {@link MappedFiles}) and each response reads
 * {@code slice()}s of the mapping into a pooled array.
 *
 * <p>Copies per byte, disk to socket: no {@code read(2)} — the page-cache pages are mapped into our address
 * space, so the kernel copy into a read buffer is gone. <b>User copy 1</b> is the mapping into our array
 * ({@code ByteBuffer.get}), <b>user copies 2 and 3</b> the JDK's write path, then {@code write(2)} (kernel).
 * 3 user-space copies, like the others: the {@code OutputStream} API forces them. What it saves is a system call
 * and a kernel copy per chunk.
 */
public final class MappedStrategy implements BodyStrategy {
    private final BufferPool pool;
    private final MappedFiles mappings;

    public MappedStrategy(BufferPool pool, MappedFiles mappings) {
        this.pool = pool;
        this.mappings = mappings;
    }

    @Override
    public String id() {
        return "mapped";
    }

    @Override
    public void send(OpenFile file, long position, long length, OutputStream out, ByteProvenance provenance)
            throws IOException {
        byte[] chunk = pool.acquire();
        try {
            long pos = position;
            long end = position + length;
            while (pos < end) {
                ByteBuffer view = mappings.view(file, pos, (int) Math.min(chunk.length, end - pos));
                int n = view.remaining();
                try {
                    view.get(chunk, 0, n);
                } catch (InternalError e) {
                    if (!MappingFault.is(e)) throw e; // any other InternalError is the JVM's own trouble
                    // MappedByteBuffer: a region of a file truncated since it was mapped "will cause an unspecified
                    // exception"; HotSpot turns the SIGBUS into this error. The bytes are gone, so the response
                    // ends as a short read ends it for the other strategies, and the client sees a cut body.
                    throw new EOFException(file.path() + " shrank below " + end + " bytes while being sent");
                }
                provenance.copied(n); // mapping -> our array
                BodyStrategy.write(out, chunk, n, provenance);
                pos += n;
            }
        } finally {
            pool.release(chunk);
        }
    }
}
