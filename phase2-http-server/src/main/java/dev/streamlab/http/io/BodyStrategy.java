package dev.streamlab.http.io;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Locale;

/**
 * How a file region gets from disk to a {@code com.sun.net.httpserver} response body. Three strategies, the same
 * bytes on the wire, different work on the way: {@code ./lab run phase2 --io naive|reused|mapped}.
 *
 * <p><b>Why none of them is zero-copy.</b> {@code HttpExchange} only offers an {@code OutputStream}, which takes
 * {@code byte[]}, so every body byte is in a Java array at some point. Then the JDK copies it twice more (JDK 21–25
 * sources): {@code sun.net.httpserver.Request.WriteStream.write} puts the array into its own heap
 * {@code ByteBuffer}, and {@code SocketChannel.write} of a heap buffer copies it into a temporary direct buffer
 * ({@code sun.nio.ch.IOUtil.write}) before the {@code write(2)} system call. (The server's
 * {@code BufferedOutputStream} would copy a fourth time, but it passes through writes of 8 KiB or more, and our
 * chunks are 64 KiB.) Phase 3 owns the socket and uses {@code FileChannel.transferTo} — sendfile — instead.
 *
 * <p>Every strategy reports the copies it makes to a {@link ByteProvenance}, at the line where each happens.
 */
public sealed interface BodyStrategy permits NaiveStrategy, ReusedStrategy, MappedStrategy {
    /** Chunk size: large enough to pass the JDK's 8 KiB BufferedOutputStream without another copy. */
    int CHUNK = 64 * 1024;

    /** The name used on the command line and in metrics. */
    String id();

    /**
     * Writes bytes {@code [position, position + length)} of {@code file} to {@code out}.
     *
     * @throws IOException when the file ends early or the client goes away
     */
    void send(OpenFile file, long position, long length, OutputStream out, ByteProvenance provenance)
            throws IOException;

    /** The JDK's two copies behind one {@code OutputStream.write} to an exchange (see the class comment). */
    static void write(OutputStream out, byte[] chunk, int n, ByteProvenance provenance) throws IOException {
        out.write(chunk, 0, n);
        provenance.copied(2L * n); // WriteStream's heap buffer, then IOUtil's temporary direct buffer
        provenance.sent(n);
    }

    List<String> NAMES = List.of("naive", "reused", "mapped");

    static BodyStrategy named(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "naive" -> new NaiveStrategy();
            case "reused" -> new ReusedStrategy(new BufferPool(CHUNK, 512));
            case "mapped" -> new MappedStrategy(new BufferPool(CHUNK, 512), new MappedFiles(64));
            default -> throw new IllegalArgumentException("--io must be one of " + NAMES + ", not '" + name + "'");
        };
    }
}
