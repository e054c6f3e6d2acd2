package dev.streamlab.stream.fmp4;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;

/** Gather-list helpers shared by {@link InitSegment} and {@link Segment}. */
final class Gather {
    private Gather() {}

    /** Read-only duplicates at position 0, so every caller gets its own positions over the same memory. */
    static ByteBuffer[] views(ByteBuffer[] buffers) {
        ByteBuffer[] out = new ByteBuffer[buffers.length];
        for (int i = 0; i < buffers.length; i++) out[i] = buffers[i].asReadOnlyBuffer();
        return out;
    }

    static long length(ByteBuffer[] buffers) {
        long n = 0;
        for (ByteBuffer b : buffers) n += b.remaining();
        return n;
    }

    /**
     * Writes every buffer, in order, with as few gathering writes as the channel allows (one, for a file or a
     * blocking socket with room). The channel must be blocking: a non-blocking one that accepts nothing would spin.
     */
    static long write(ByteBuffer[] buffers, GatheringByteChannel channel) throws IOException {
        long total = length(buffers);
        long done = 0;
        int first = 0;
        while (done < total) {
            done += channel.write(buffers, first, buffers.length - first);
            while (first < buffers.length && !buffers[first].hasRemaining()) first++;
        }
        return done;
    }
}
