package dev.streamlab.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
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
 * <p>{@link Loop#SELECTOR} asks the other question: is the distance to nginx the JVM's, or the virtual threads'? It
 * runs the same request code ({@link #next}, {@code transferTo}) on one selector loop per core instead of a virtual
 * thread per connection. Measured (phase 3 README, part 1): it matches nginx, where the virtual-thread floor does not.
 * Both switches together ({@code --loop selector --body mapped}) ask what a JVM server needs to pass nginx here;
 * measured, that is the only one of the four that does (README, "Both switches").
 *
 * <p>Usage: {@code java dev.streamlab.bench.FloorServer --port N --media DIR [--body sendfile|mapped]
 * [--loop virtual|selector]} serves {@code DIR/{id}.mp4} on 127.0.0.1 until killed. Started by {@code LoadHarness
 * --servers phase3-floor[-mapped|-selector|-selector-mapped]} ({@code scripts/bench.sh phase3-ws},
 * {@code phase3-wrk}).
 */
public final class FloorServer implements AutoCloseable {
    private static final int HEAD_LIMIT = 8192;
    private static final int FALLBACK_CHUNK = 64 * 1024;

    /** How a response's body leaves: {@code FileChannel.transferTo}, or a gathering write from a file mapping. */
    public enum Body { SENDFILE, MAPPED }

    /** Who runs a connection: a virtual thread of its own, or one of a few selector loops on platform threads. */
    public enum Loop { VIRTUAL, SELECTOR }

    private final Path media;
    private final Body body;
    private final ServerSocketChannel listener;
    private final ConcurrentHashMap<String, FileChannel> files = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<FileChannel, MappedByteBuffer> mappings = new ConcurrentHashMap<>();
    private final LongAdder fallbackChunks = new LongAdder();
    private final List<EventLoop> loops = new ArrayList<>();

    private FloorServer(Path media, Body body, ServerSocketChannel listener) {
        this.media = media;
        this.body = body;
        this.listener = listener;
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        int port = 0;
        Path media = null;
        Body body = Body.SENDFILE;
        Loop loop = Loop.VIRTUAL;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[i + 1]);
                case "--media" -> media = Path.of(args[i + 1]);
                case "--body" -> body = Body.valueOf(args[i + 1].toUpperCase(Locale.ROOT));
                case "--loop" -> loop = Loop.valueOf(args[i + 1].toUpperCase(Locale.ROOT));
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (media == null) {
            throw new IllegalArgumentException(
                    "usage: FloorServer --port N --media DIR [--body sendfile|mapped] [--loop virtual|selector]");
        }
        FloorServer server = start(media, port, body, loop);
        System.out.println("floor server on http://127.0.0.1:" + server.port() + "/videos/{id}");
        Thread.currentThread().join(); // until killed
    }

    /**
     * Listens on 127.0.0.1:{@code port} (0: any free port) and accepts on a thread of its own until closed; with
     * {@link Loop#SELECTOR}, one loop per available processor (nginx's {@code worker_processes auto}).
     */
    public static FloorServer start(Path media, int port, Body body, Loop loop) throws IOException {
        ServerSocketChannel listener = ServerSocketChannel.open();
        try {
            listener.bind(new InetSocketAddress("127.0.0.1", port));
        } catch (IOException e) {
            listener.close();
            throw e;
        }
        FloorServer server = new FloorServer(media, body, listener);
        if (loop == Loop.SELECTOR) {
            for (int i = 0; i < Runtime.getRuntime().availableProcessors(); i++) {
                EventLoop l = server.new EventLoop();
                server.loops.add(l);
                Thread.ofPlatform().name("floor-loop-" + i).daemon().start(l);
            }
        }
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

    /**
     * Stops accepting and closes the files; connections already open end when their clients close them (virtual
     * threads) or now (selector loops).
     */
    @Override
    public void close() throws IOException {
        listener.close();
        for (EventLoop l : loops) l.selector.wakeup();
        for (FileChannel f : files.values()) f.close();
    }

    private void acceptLoop() {
        try {
            int next = 0; // round robin over the selector loops
            while (true) {
                SocketChannel ch = listener.accept();
                if (loops.isEmpty()) {
                    Thread.ofVirtual().start(() -> serve(ch));
                } else {
                    loops.get(next).add(ch);
                    next = (next + 1) % loops.size();
                }
            }
        } catch (IOException e) {
            // closed: stop accepting
        }
    }

    /** One response to send: its head, then {@code length} bytes of {@code file} from {@code start} (none: null). */
    private record Response(ByteBuffer head, FileChannel file, long start, long length, long fileSize) {}

    /**
     * The response to the next complete request in {@code in} (write mode), consumed from it; null while the
     * request is incomplete.
     *
     * @throws IOException when the request head does not fit in {@code in}
     */
    private Response next(ByteBuffer in) throws IOException {
        int end = headEnd(in);
        if (end < 0) {
            if (!in.hasRemaining()) throw new IOException("request head longer than " + HEAD_LIMIT + " bytes");
            return null;
        }
        // The head (~100 bytes) is copied twice, into an array and a String: found with indexOf in a few
        // lines, against 64 KiB of body copied 0 times. Parsing the direct buffer in place would save both.
        byte[] head = new byte[end];
        in.get(0, head);
        in.flip().position(end);
        in.compact(); // a pipelined next request stays
        String request = new String(head, StandardCharsets.ISO_8859_1);
        FileChannel file = file(request);
        if (file == null) return headOnly("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
        long size = file.size();
        long[] range = range(request, size);
        if (range == null) {
            return headOnly("HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */" + size
                    + "\r\nContent-Length: 0\r\n\r\n");
        }
        long length = range[1] - range[0] + 1;
        String status = length == size ? "HTTP/1.1 200 OK\r\n" : "HTTP/1.1 206 Partial Content\r\n"
                + "Content-Range: bytes " + range[0] + "-" + range[1] + "/" + size + "\r\n";
        return new Response(ascii(status + "Content-Type: video/mp4\r\nContent-Length: " + length + "\r\n\r\n"),
                file, range[0], length, size);
    }

    private static Response headOnly(String head) {
        return new Response(ascii(head), null, 0, 0, 0);
    }

    private static ByteBuffer ascii(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** A virtual thread's connection: blocking reads and writes, which park it. */
    private void serve(SocketChannel ch) {
        // Direct: the JDK reads a socket into a heap buffer through a temporary direct one, a copy we need not make.
        ByteBuffer in = ByteBuffer.allocateDirect(HEAD_LIMIT);
        ByteBuffer fallback = null;
        try (ch) {
            ch.socket().setTcpNoDelay(true);
            while (true) {
                Response r = next(in);
                while (r == null) {
                    if (ch.read(in) < 0) return; // the client closed
                    r = next(in);
                }
                if (body == Body.MAPPED && r.file() != null) {
                    // One writev for head and range; on a virtual thread a full socket buffer parks the write.
                    ByteBuffer[] response = mapped(r);
                    while (response[1].hasRemaining()) ch.write(response);
                    continue;
                }
                ch.write(r.head());
                for (long pos = r.start(), stop = r.start() + r.length(); pos < stop; ) {
                    long n = r.file().transferTo(pos, stop - pos, ch);
                    if (n > 0) {
                        pos += n;
                        continue;
                    }
                    // Socket buffer full: a retry would spin, so one chunk goes the copying way, whose write parks.
                    if (fallback == null) fallback = ByteBuffer.allocateDirect(FALLBACK_CHUNK);
                    fallbackChunks.increment();
                    fallback.clear().limit((int) Math.min(FALLBACK_CHUNK, stop - pos));
                    if (r.file().read(fallback, pos) < 0) return; // the file shrank
                    fallback.flip();
                    while (fallback.hasRemaining()) pos += ch.write(fallback);
                }
            }
        } catch (IOException e) {
            // the client went away: nothing to answer
        }
    }

    /**
     * {@link Loop#SELECTOR}: one platform thread and one {@code Selector} (epoll) for its share of the connections,
     * as each of nginx's workers has; non-blocking sockets, so a full socket buffer is a {@code transferTo} that
     * returns 0 and an {@code OP_WRITE} interest until it drains, with no fallback copy and no thread parked.
     */
    private final class EventLoop implements Runnable {
        private final Selector selector = Selector.open();
        private final ConcurrentLinkedQueue<SocketChannel> incoming = new ConcurrentLinkedQueue<>();

        EventLoop() throws IOException {}

        void add(SocketChannel ch) {
            incoming.add(ch);
            selector.wakeup();
        }

        @Override
        public void run() {
            try (selector) {
                while (listener.isOpen()) {
                    for (SocketChannel ch; (ch = incoming.poll()) != null; ) {
                        try {
                            ch.configureBlocking(false);
                            ch.socket().setTcpNoDelay(true);
                            ch.register(selector, SelectionKey.OP_READ, new Connection(ch));
                        } catch (IOException e) {
                            close(ch);
                        }
                    }
                    selector.select(key -> {
                        Connection c = (Connection) key.attachment();
                        try {
                            c.ready(key);
                        } catch (IOException e) {
                            key.cancel();
                            close(c.ch);
                        }
                    });
                }
                for (SelectionKey k : selector.keys()) close((SocketChannel) k.channel());
            } catch (IOException e) {
                // the selector failed: this loop's connections end with it
            }
        }

        private static void close(SocketChannel ch) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    /** A connection of an {@link EventLoop}: what is left of the response being sent, and the bytes read so far. */
    private final class Connection {
        final SocketChannel ch;
        final ByteBuffer in = ByteBuffer.allocateDirect(HEAD_LIMIT);
        Response sending;
        long pos;
        /** {@link Body#MAPPED}: head and range as one gathering write, what is left of them. */
        ByteBuffer[] gather;

        Connection(SocketChannel ch) {
            this.ch = ch;
        }

        /** Reads what arrived, then answers every complete request until the socket buffer is full or none is left. */
        void ready(SelectionKey key) throws IOException {
            if (key.isReadable() && ch.read(in) < 0) throw new IOException("the client closed");
            while (true) {
                if (sending != null && !flush()) {
                    key.interestOps(SelectionKey.OP_WRITE); // the rest when the socket drains
                    return;
                }
                sending = next(in);
                if (sending == null) {
                    key.interestOps(SelectionKey.OP_READ);
                    return;
                }
                pos = sending.start();
                gather = body == Body.MAPPED && sending.file() != null ? mapped(sending) : null;
            }
        }

        /** Sends what it can of {@link #sending}; true when all of it is sent. */
        private boolean flush() throws IOException {
            if (gather != null) {
                ch.write(gather); // writev; a full socket buffer takes part of it and the rest waits for OP_WRITE
                if (gather[1].hasRemaining()) return false;
                sending = null;
                gather = null;
                return true;
            }
            if (sending.head().hasRemaining()) {
                ch.write(sending.head());
                if (sending.head().hasRemaining()) return false;
            }
            long stop = sending.start() + sending.length();
            while (pos < stop) {
                long n = sending.file().transferTo(pos, stop - pos, ch);
                if (n == 0) {
                    if (pos >= sending.file().size()) throw new IOException("the file shrank");
                    return false;
                }
                pos += n;
            }
            sending = null;
            return true;
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

    /** {@link Body#MAPPED}: {@code r}'s head and a view of its range in the file's mapping (no bytes copied). */
    private ByteBuffer[] mapped(Response r) throws IOException {
        return new ByteBuffer[] {r.head(), mapping(r.file(), r.fileSize()).slice((int) r.start(), (int) r.length())};
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
