package dev.streamlab.http.io;

import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;

/**
 * One pooled 64 KiB buffer per response, reused for every chunk.
 *
 * <p>Copies per byte, disk to socket: the same as {@link NaiveStrategy} — kernel into the JDK's temporary direct
 * buffer, <b>user copy 1</b> into our array, <b>user copies 2 and 3</b> in the JDK's write path, kernel into the
 * socket — 3 user-space copies. What changes is the garbage: none per chunk, because the array comes from a
 * {@link BufferPool} and goes back to it.
 */
public final class ReusedStrategy implements BodyStrategy {
    private final BufferPool pool;

    public ReusedStrategy(BufferPool pool) {
        this.pool = pool;
    }

    @Override
    public String id() {
        return "reused";
    }

    @Override
    public void send(OpenFile file, long position, long length, OutputStream out, ByteProvenance provenance)
            throws IOException {
        byte[] chunk = pool.acquire();
        try {
            ByteBuffer bb = ByteBuffer.wrap(chunk);
            long pos = position;
            long end = position + length;
            while (pos < end) {
                int want = (int) Math.min(chunk.length, end - pos);
                bb.clear().limit(want);
                while (bb.hasRemaining()) {
                    int n = file.channel().read(bb, pos + bb.position());
                    if (n < 0) throw new EOFException(file.path() + " ended at " + (pos + bb.position()));
                }
                provenance.copied(want); // temporary direct buffer -> our array
                BodyStrategy.write(out, chunk, want, provenance);
                pos += want;
            }
        } finally {
            pool.release(chunk);
        }
    }
}
