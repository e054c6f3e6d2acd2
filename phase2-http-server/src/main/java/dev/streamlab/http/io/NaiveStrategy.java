package dev.streamlab.http.io;

import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;

/**
 * The first thing everyone writes: a new {@code byte[]} for every chunk.
 *
 * <p>Copies per byte, disk to socket: the {@code read(2)} into the JDK's temporary direct buffer (kernel), that
 * buffer into our new array ({@code IOUtil.read} for a heap buffer: <b>user copy 1</b>), then the two JDK copies
 * behind {@code OutputStream.write} (<b>user copies 2 and 3</b>), then {@code write(2)} into the socket buffer
 * (kernel). 3 user-space copies, and {@code length} bytes of garbage per response, which JMH's {@code -prof gc}
 * and the load test's allocation figures show.
 */
public final class NaiveStrategy implements BodyStrategy {
    @Override
    public String id() {
        return "naive";
    }

    @Override
    public void send(OpenFile file, long position, long length, OutputStream out, ByteProvenance provenance)
            throws IOException {
        long pos = position;
        long end = position + length;
        while (pos < end) {
            byte[] chunk = new byte[(int) Math.min(CHUNK, end - pos)]; // the naive part: garbage per chunk
            ByteBuffer bb = ByteBuffer.wrap(chunk);
            while (bb.hasRemaining()) {
                int n = file.channel().read(bb, pos + bb.position());
                if (n < 0) throw new EOFException(file.path() + " ended at " + (pos + bb.position()));
            }
            provenance.copied(chunk.length); // temporary direct buffer -> our array
            BodyStrategy.write(out, chunk, chunk.length, provenance);
            pos += chunk.length;
        }
    }
}
