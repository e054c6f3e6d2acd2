package dev.streamlab.mjpeg;

import dev.streamlab.catalog.Catalog;
import dev.streamlab.catalog.VideoEntry;
import dev.streamlab.http1.Http1Exchange;
import dev.streamlab.metrics.MetricsRegistry;
import dev.streamlab.pixels.Filter;
import dev.streamlab.phase3.Phase3Server;
import dev.streamlab.shared.io.MediaFiles;
import dev.streamlab.shared.text.ClientText;
import dev.streamlab.websocket.server.WsEndpoints;
import dev.streamlab.y4m.ProxyUnavailableException;
import dev.streamlab.y4m.Y4mFormatException;
import dev.streamlab.y4m.Y4mProxies;
import dev.streamlab.y4m.Y4mReader;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.LockSupport;

/**
 * The processed-live view's server side: a catalog video's .y4m proxy, filtered and JPEG-encoded frame by frame,
 *
 * <pre>
 *   GET /mjpeg/{id}?filter=grayscale[&amp;frames=N]   multipart/x-mixed-replace MJPEG, for an &lt;img&gt;
 *   WS  /ws/processed/{id}?filter=blur               binary messages, one JPEG each; a text message names a new
 *                                                     filter, answered with {"filter": name}
 * </pre>
 *
 * Frames go out at the proxy's frame rate, looping, for at most {@link #MAX_STREAM} (or N frames). Errors: unknown
 * video 404, unknown filter 400 (WebSocket: close 1008), no ffmpeg to make the proxy 503 (WebSocket: close 1011),
 * every stream permit in use, or the client's share of them, or the video changed since the catalog listed it, 503
 * with {@code Retry-After} (WebSocket: close 1013), all with a readable message.
 */
public final class ProcessedVideos {
    /** Every stream ends after this long, so an abandoned tab cannot hold a thread forever. */
    static final Duration MAX_STREAM = Duration.ofMinutes(10);
    static final String BOUNDARY = "streamlab-frame";
    static final int MAX_FRAMES_PARAM = 100_000;
    /**
     * Streams at once, per core. A stream is CPU work on a virtual thread of its own (filter and JPEG, about 1.3 ms a
     * frame at 320 pixels wide and 15 frames a second: 40 blurred streams took 0.81 of a core), and virtual threads
     * are not preempted: past what the cores can do, that work delays everything else. With 150 MJPEG streams on two
     * cores and no limit, a new client's catalog request waited 15–20 s (its connection's thread queued behind the
     * streams; the request itself then took 14 ms). 24 a core keeps the streams to about half the machine; the next
     * one is told to try again later.
     */
    public static final int STREAMS_PER_CORE = 24;
    /**
     * One client (an IP address) holds at most 1/{@value} of the permits, at least one. Without a share, one client
     * could take them all: a stream holds its permit for up to {@link #MAX_STREAM} while read, and one never read
     * until the write-stall timeout (30 s by default) closes it, so a loop of connections, reading or not, kept every
     * other viewer at 503/1013. A shorter stall bound would not help against a client that reads. Keyed on the
     * address, as nginx's {@code limit_conn} on {@code $binary_remote_addr}: viewers behind one NAT share a quarter.
     */
    static final int CLIENT_SHARE = 4;
    /** Seconds a refused client is asked to wait ({@code Retry-After}, RFC 9110 §10.2.3). */
    static final int RETRY_AFTER_SECONDS = 5;

    private final Catalog catalog;
    private final Y4mProxies proxies;
    final ProcessedMetrics metrics;
    private final int maxStreams;
    private final Semaphore permits;
    private final int maxPerClient;
    /** Permits held per client address; an address holding none has no entry. */
    private final ConcurrentHashMap<InetAddress, Integer> held = new ConcurrentHashMap<>();

    public ProcessedVideos(Catalog catalog, Y4mProxies proxies, MetricsRegistry metrics) {
        this(catalog, proxies, metrics, STREAMS_PER_CORE * Runtime.getRuntime().availableProcessors());
    }

    /** @param maxStreams processed streams (MJPEG and WebSocket together) served at once */
    public ProcessedVideos(Catalog catalog, Y4mProxies proxies, MetricsRegistry metrics, int maxStreams) {
        if (maxStreams < 1) throw new IllegalArgumentException("maxStreams must be >= 1, not " + maxStreams);
        this.catalog = catalog;
        this.proxies = proxies;
        this.maxStreams = maxStreams;
        this.permits = new Semaphore(maxStreams);
        this.maxPerClient = Math.max(1, maxStreams / CLIENT_SHARE);
        this.metrics = new ProcessedMetrics(metrics, () -> maxStreams - permits.availablePermits());
    }

    /** Installs {@code /mjpeg/} and {@code /ws/processed/} on phase 3's server. */
    public static ProcessedVideos install(Phase3Server server, WsEndpoints ws, Y4mProxies proxies) {
        return install(server, ws, new ProcessedVideos(server.catalog(), proxies, server.metrics()));
    }

    /** Installs {@code p}'s routes (e.g. one with few stream permits, for a test). */
    public static ProcessedVideos install(Phase3Server server, WsEndpoints ws, ProcessedVideos p) {
        server.addRoute("/mjpeg/", p::mjpeg);
        ws.registerPrefix("/ws/processed/", (id, query) -> server.catalog().find(id).isEmpty() ? null
                : new ProcessedEndpoint(p, id, query));
        return p;
    }

    Optional<VideoEntry> find(String id) {
        return catalog.find(id);
    }

    /**
     * Takes a stream permit for {@code client}, to be given back with {@link #release(InetAddress)} when the stream
     * ends; or, counted, why not: every permit is in use, or {@code client} holds its share ({@link #CLIENT_SHARE}).
     * The reason is short enough for a WebSocket close reason (123 bytes).
     */
    Optional<String> admit(InetAddress client) {
        Objects.requireNonNull(client, "client");
        if (!permits.tryAcquire()) {
            metrics.refused.inc();
            return Optional.of("all " + maxStreams + " processed streams are in use (each takes a share of a core);"
                    + " try again in " + RETRY_AFTER_SECONDS + " s");
        }
        if (held.merge(client, 1, Integer::sum) <= maxPerClient) return Optional.empty();
        release(client); // over its share: the permit and the count taken just now go back
        metrics.refused.inc();
        return Optional.of("this address already has " + maxPerClient + " processed streams, the most one client may"
                + " have; try again in " + RETRY_AFTER_SECONDS + " s");
    }

    void release(InetAddress client) {
        held.computeIfPresent(client, (k, n) -> n == 1 ? null : n - 1);
        permits.release();
    }

    /**
     * Opens the proxy of {@code id} (making it with ffmpeg on first use) and starts a stream: of the version the
     * catalog listed, or a {@link ProxyUnavailableException} to try again after the next listing.
     */
    ProcessedStream open(VideoEntry e, Filter filter) throws IOException, ProxyUnavailableException, Y4mFormatException {
        Y4mReader r = proxies.open(e.id(), e.file(), new Y4mProxies.Listed(e.size(), e.lastModified()));
        try {
            return new ProcessedStream(r, filter);
        } catch (RuntimeException ex) {
            r.close();
            throw ex;
        }
    }

    private void mjpeg(Http1Exchange ex) throws IOException {
        if (!ex.method().equals("GET")) {
            ex.header("Allow", "GET");
            ex.error(405, "the MJPEG stream answers GET only");
            return;
        }
        String id = ex.request().path().substring("/mjpeg/".length());
        Optional<VideoEntry> e = catalog.find(id);
        if (e.isEmpty()) {
            ex.error(404, "no video with id '" + ClientText.shorten(id) + "'");
            return;
        }
        if (!e.get().ok()) {
            ex.error(422, "'" + ClientText.shorten(id) + "' is not a valid MP4: " + e.get().error());
            return;
        }
        Filter filter;
        long maxFrames;
        try {
            filter = Filter.parse(Query.param(ex.request().query(), "filter"));
            maxFrames = frames(Query.param(ex.request().query(), "frames"));
        } catch (IllegalArgumentException bad) {
            ex.error(400, bad.getMessage());
            return;
        }
        InetAddress client = ex.remoteAddress().getAddress();
        Optional<String> refused = admit(client);
        if (refused.isPresent()) {
            ex.header("Retry-After", Integer.toString(RETRY_AFTER_SECONDS));
            ex.error(503, refused.get());
            return;
        }
        try {
            stream(ex, e.get(), filter, maxFrames);
        } finally {
            release(client);
        }
    }

    private void stream(Http1Exchange ex, VideoEntry e, Filter filter, long maxFrames) throws IOException {
        ProcessedStream stream;
        try {
            stream = open(e, filter);
        } catch (ProxyUnavailableException unavailable) {
            if (unavailable.retryAfterSeconds() > 0) {
                ex.header("Retry-After", Integer.toString(unavailable.retryAfterSeconds()));
            }
            ex.error(503, unavailable.getMessage());
            return;
        } catch (Y4mFormatException | IllegalArgumentException bad) {
            ex.error(500, "the .y4m proxy of '" + e.id() + "' is unusable: " + bad.getMessage());
            return;
        } catch (FileSystemException gone) {
            // Removed, a FIFO or a link loop since the listing: an answer, not a connection closed unanswered.
            if (!MediaFiles.isAbout(gone, e.file())) throw gone;
            ex.error(404, "video '" + e.id() + "' " + MediaFiles.whyUnavailable(gone));
            return;
        }
        try (stream) {
            // The multipart stream has no length: RFC 9112 §6.3 rule 8, the body ends when the server closes.
            ex.header("Content-Type", "multipart/x-mixed-replace; boundary=" + BOUNDARY);
            ex.header("Cache-Control", "no-store");
            ex.header("X-Content-Type-Options", "nosniff");
            ex.sendHeadersUntilClose(200);
            if (ex.head()) return;
            Pacer pacer = new Pacer(stream.frameNanos());
            while (stream.frames() < maxFrames && pacer.withinLimit()) {
                ByteBuffer jpeg = stream.next();
                // Each part: boundary line, its own fields, the JPEG, CRLF (RFC 2046 §5.1.1 multipart syntax).
                byte[] head = ("--" + BOUNDARY + "\r\nContent-Type: image/jpeg\r\nContent-Length: " + jpeg.remaining()
                        + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
                int length = jpeg.remaining();
                ex.write(ByteBuffer.wrap(head), jpeg, ByteBuffer.wrap(CRLF));
                metrics.sent("mjpeg", stream, length);
                pacer.await();
            }
            ex.write(ByteBuffer.wrap(("--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.US_ASCII)));
        }
    }

    private static final byte[] CRLF = {'\r', '\n'};

    static long frames(String s) {
        if (s == null) return Long.MAX_VALUE;
        try {
            long n = Long.parseLong(s);
            if (n >= 1 && n <= MAX_FRAMES_PARAM) return n;
        } catch (NumberFormatException e) {
            // fall through to the message
        }
        throw new IllegalArgumentException("frames must be a number from 1 to " + MAX_FRAMES_PARAM);
    }

    /** Real-time pacing at the frame rate, and the stream's time limit. */
    static final class Pacer {
        private final long period;
        private final long start = System.nanoTime();
        private long next;

        Pacer(long periodNanos) {
            this.period = periodNanos;
            this.next = start + periodNanos;
        }

        boolean withinLimit() {
            return System.nanoTime() - start < MAX_STREAM.toNanos();
        }

        /** Parks until the next frame is due; a slow consumer (a full socket) makes us skip the lost time. */
        void await() {
            long now = System.nanoTime();
            if (next - now > 0) {
                LockSupport.parkNanos(next - now);
            } else {
                next = now; // behind: do not burst to catch up
            }
            next += period;
        }
    }
}
