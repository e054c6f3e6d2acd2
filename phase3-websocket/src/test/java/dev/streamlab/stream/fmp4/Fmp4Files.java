package dev.streamlab.stream.fmp4;

import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.TRUNCATE_EXISTING;
import static java.nio.file.StandardOpenOption.WRITE;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/** Test helpers: a track written out as one fragmented MP4 file, a gather list as bytes. */
final class Fmp4Files {
    private Fmp4Files() {}

    /** Init segment then every media segment, concatenated: a complete fragmented MP4 of one track. */
    static Path write(Fmp4Track track, Path file) throws IOException {
        try (FileChannel out = FileChannel.open(file, CREATE, WRITE, TRUNCATE_EXISTING)) {
            track.init().writeTo(out);
            for (int i = 0; i < track.segmentCount(); i++) track.segment(i).writeTo(out);
        }
        return file;
    }

    /** The bytes a gather list stands for, copied (tests only). */
    static byte[] bytes(ByteBuffer[] buffers) {
        int n = 0;
        for (ByteBuffer b : buffers) n += b.remaining();
        ByteBuffer all = ByteBuffer.allocate(n);
        for (ByteBuffer b : buffers) all.put(b.duplicate());
        return all.array();
    }
}
