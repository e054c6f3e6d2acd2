package dev.streamlab.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The floor of the range benchmark: the least a JVM server on virtual threads does to answer {@code GET
 * /videos/{id}} with a {@code Range}, so that the load harness can show how much of phase 3's distance to nginx
 * belongs to phase 3 and how much to the JVM, the JDK's socket and file channels and virtual-thread scheduling.
 * Not a server to use: it is phase 3's request path with everything taken out but the system calls.
 *
 * <p>What it keeps: a virtual thread per connection blocking in {@code read}, keep-alive, one
 * {@code FileChannel} per file opened once (its size read per request, one {@code fstat}, where phase 3 makes one
 * {@code statx} of the path), a response head built per request, and the body sent with
 * {@code FileChannel.transferTo} (sendfile) with the small blocking fallback for the zero return a virtual thread's
 * non-blocking socket gives (phase 3's {@code Http1Writer}). What it leaves out, and phase 3 pays for: validators
 * (ETag, Last-Modified, If-Range), multi-range and suffix ranges, header limits and timeouts, the watchdog, metrics,
 * the access log, error bodies. So it does not use phase 3's parser or phase 2's range model either, whose checks are
 * part of what the floor leaves out: a request line and {@code Range: bytes=a-b} or {@code bytes=a-} (field name as
 * clients send it) are found with {@code indexOf}, anything else is not understood, and an unknown path answers 404
 * with no body.
 *
 * <p>Copies per body byte: 0 in user space, as in phase 3 (sendfile), except for fallback chunks (1 each).
 *
 * <p>{@link Body#MAPPED} is the question every student asks next: is sendfile worth its three system calls per
 * request (the JDK's {@code transferTo} makes an {@code fstat}, a {@code copy_file_range} the socket refuses, then
 * {@code sendfile}), and the head's separate write? That variant maps each file once and sends head and range in one
 * gathering {@code write} (writev) from the mapping: two system calls per response (the floor's own {@code fstat}
 * for the size, then the writev) where the sendfile path makes five, still 0 user-space copies, but the kernel copies
 * every body byte from the mapped page cache into the socket buffer, where sendfile hands it page references. A
 * mapping is one {@code MappedByteBuffer}, so files of 2 GiB and more are refused in that mode.
 *
 * <p>Usage: {@code java dev.streamlab.bench.FloorServer --port N --media DIR [--body sendfile|mapped]} serves
 * {@code DIR/{id}.mp4} on 127.0.0.1 until killed. Started by {@code LoadHarness --servers
 * phase3-floor[-mapped]} ({@code scripts/bench.sh phase3-ws}, {@code phase3-wrk}).
 */
public final class FloorServer implements AutoCloseable {
    private static final int HEAD_LIMIT = 8192;
    private static final int FALLBACK_CHUNK = 64 * 1024;

    /** How a response's body leaves: {@code FileChannel.transferTo}, or a gathering write from a file mapping. */
    public enum Body { SENDFILE, MAPPED }

    private final Path media;
    private final Body body;
    private final ServerSocketChannel listener;
    private final ConcurrentHashMap<String, FileChannel> files = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<FileChannel, MappedByteBuffer> mappings = new ConcurrentHashMap<>();
    private final LongAdder fallbackChunks = new LongAdder();

    private FloorServer(Path media, Body body, ServerSocketChannel listener) {
        this.media = media;
        this.body = body;
        this.listener = listener;
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        int port = 0;
        Path media = null;
        Body body = Body.SENDFILE;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[i + 1]);
                case "--media" -> media = Path.of(args[i + 1]);
                case "--body" -> body = Body.valueOf(args[i + 1].toUpperCase(Locale.ROOT));
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (media == null) {
            throw new IllegalArgumentException("usage: FloorServer --port N --media DIR [--body sendfile|mapped]");
        }
        FloorServer server = start(media, port, body);
        System.out.println("floor server on http://127.0.0.1:" + server.port() + "/videos/{id}");
        Thread.currentThread().join(); // until killed
    }

    /** Listens on 127.0.0.1:{@code port} (0: any free port) and accepts on a thread of its own until closed. */
    public static FloorServer start(Path media, int port, Body body) throws IOException {
        ServerSocketChannel listener = ServerSocketChannel.open();
        try {
            listener.bind(new InetSocketAddress("127.0.0.1", port));
        } catch (IOException e) {
            listener.close();
            throw e;
        }
        FloorServer server = new FloorServer(media, body, listener);
        Thread.ofPlatform().name("floor-accept").daemon().start(server::acceptLoop);
        return server;
    }

    /** How many chunks went the copying way because {@code transferTo} returned 0 (a full socket buffer). */
    public long fallbackChunks() {
        return fallbackChunks.sum();
    }

    public int port() throws IOException {
        return ((InetSocketAddress) listener.getLocalAddress()).getPort();
    }

    /** Stops accepting and closes the files; connections already open end when their clients close them. */
    @Override
    public void close() throws IOException {
        listener.close();
        for (FileChannel f : files.values()) f.close();
    }

    private void acceptLoop() {
        try {
            while (true) {
                SocketChannel ch = listener.accept();
                Thread.ofVirtual().start(() -> serve(ch));
            }
        } catch (IOException e) {
            // closed: stop accepting
        }
    }

    private void serve(SocketChannel ch) {
        // Direct: the JDK reads a socket into a heap buffer through a temporary direct one, a copy we need not make.
        ByteBuffer in = ByteBuffer.allocateDirect(HEAD_LIMIT);
        ByteBuffer fallback = null;
        try (ch) {
            ch.socket().setTcpNoDelay(true);
            while (true) {
                int end = headEnd(in);
                while (end < 0) {
                    if (!in.hasRemaining() || ch.read(in) < 0) return; // too long, or the client closed
                    end = headEnd(in);
                }
                // The head (~100 bytes) is copied twice, into an array and a String: found with indexOf in a few
                // lines, against 64 KiB of body copied 0 times. Parsing the direct buffer in place would save both.
                byte[] head = new byte[end];
                in.get(0, head);
                in.flip().position(end);
                in.compact(); // a pipelined next request stays
                String request = new String(head, StandardCharsets.ISO_8859_1);
                FileChannel file = file(request);
                if (file == null) {
                    ch.write(ByteBuffer.wrap("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
                            .getBytes(StandardCharsets.ISO_8859_1)));
                    continue;
                }
                long size = file.size();
                long[] range = range(request, size);
                if (range == null) {
                    ch.write(ByteBuffer.wrap(("HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */"
                            + size + "\r\nContent-Length: 0\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1)));
                    continue;
                }
                long start = range[0];
                long length = range[1] - range[0] + 1;
                String status = length == size ? "HTTP/1.1 200 OK\r\n" : "HTTP/1.1 206 Partial Content\r\n"
                        + "Content-Range: bytes " + range[0] + "-" + range[1] + "/" + size + "\r\n";
                ByteBuffer responseHead = ByteBuffer.wrap((status + "Content-Type: video/mp4\r\nContent-Length: "
                        + length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                if (body == Body.MAPPED) {
                    // One writev for head and range; on a virtual thread a full socket buffer parks the write.
                    ByteBuffer[] response = {responseHead, mapping(file, size).slice((int) start, (int) length)};
                    while (response[1].hasRemaining()) ch.write(response);
                    continue;
                }
                ch.write(responseHead);
                for (long pos = start, stop = start + length; pos < stop; ) {
                    long n = file.transferTo(pos, stop - pos, ch);
                    if (n > 0) {
                        pos += n;
                        continue;
                    }
                    // Socket buffer full: a retry would spin, so one chunk goes the copying way, whose write parks.
                    if (fallback == null) fallback = ByteBuffer.allocateDirect(FALLBACK_CHUNK);
                    fallbackChunks.increment();
                    fallback.clear().limit((int) Math.min(FALLBACK_CHUNK, stop - pos));
                    if (file.read(fallback, pos) < 0) return; // the file shrank
                    fallback.flip();
                    while (fallback.hasRemaining()) pos += ch.write(fallback);
                }
            }
        } catch (IOException e) {
            // the client went away: nothing to answer
        }
    }

    /** The end of the request head (after its empty line) in {@code in}'s filled part, or -1. */
    private static int headEnd(ByteBuffer in) {
        for (int i = 3; i < in.position(); i++) {
            if (in.get(i) == '\n' && in.get(i - 1) == '\r' && in.get(i - 2) == '\n' && in.get(i - 3) == '\r') {
                return i + 1;
            }
        }
        return -1;
    }

    /** The channel of {@code GET /videos/{id}}'s file, opened on first use; null for any other request. */
    private FileChannel file(String request) throws IOException {
        if (!request.startsWith("GET /videos/")) return null;
        int idEnd = request.indexOf(' ', 12);
        if (idEnd < 0) return null;
        String id = request.substring(12, idEnd);
        if (id.isEmpty() || id.contains("/") || id.contains("..")) return null;
        FileChannel ch = files.get(id);
        if (ch != null) return ch;
        try {
            FileChannel opened = FileChannel.open(media.resolve(id + ".mp4"), StandardOpenOption.READ);
            FileChannel raced = files.putIfAbsent(id, opened);
            if (raced == null) return opened;
            opened.close();
            return raced;
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** The file mapped whole, once (again if its size changed); refused for files of 2 GiB or more. */
    private MappedByteBuffer mapping(FileChannel file, long size) throws IOException {
        MappedByteBuffer m = mappings.get(file);
        if (m != null && m.capacity() == size) return m;
        if (size > Integer.MAX_VALUE) throw new IOException("a file of 2 GiB or more cannot be one mapping");
        m = file.map(FileChannel.MapMode.READ_ONLY, 0, size);
        mappings.put(file, m);
        return m;
    }

    /** {@code [first, last]} from {@code Range: bytes=a-b} or {@code bytes=a-}, the whole file without one. */
    private static long[] range(String request, long size) {
        int at = request.indexOf("\r\nRange: bytes=");
        if (at < 0) return size == 0 ? null : new long[] {0, size - 1};
        int from = at + 15;
        int dash = request.indexOf('-', from);
        int eol = request.indexOf('\r', from);
        if (dash < 0 || dash > eol) return null;
        try {
            long first = Long.parseLong(request, from, dash, 10);
            long last = dash + 1 == eol ? size - 1 : Math.min(size - 1, Long.parseLong(request, dash + 1, eol, 10));
            return first <= last ? new long[] {first, last} : null;
        } catch (NumberFormatException e) {
            return null; // answered 416, as for a range past the end
        }
    }
}
