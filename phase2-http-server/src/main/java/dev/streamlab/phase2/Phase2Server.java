package dev.streamlab.phase2;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.streamlab.catalog.Catalog;
import dev.streamlab.catalog.CatalogJson;
import dev.streamlab.catalog.VideoEntry;
import dev.streamlab.http.StaticFiles;
import dev.streamlab.http.io.BodyStrategy;
import dev.streamlab.http.io.ByteProvenance;
import dev.streamlab.mp4.Mp4FormatException;
import dev.streamlab.qoe.QoeAggregator;
import dev.streamlab.shared.cli.LaunchOptions;
import dev.streamlab.shared.io.MappingFault;
import dev.streamlab.shared.io.MediaFiles;
import dev.streamlab.shared.json.JsonParser;
import dev.streamlab.shared.text.ClientText;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Phase 2: a video server on {@code com.sun.net.httpserver}, one virtual thread per exchange.
 *
 * <pre>
 *   GET  /                         the player (frontend/index.html) and its static files
 *   GET  /api/videos               the catalog (JSON)           GET /api/videos/{id}        one entry
 *   GET  /api/videos/{id}/boxes    the MP4 explainer: box tree, keyframe map, warnings
 *   GET|HEAD /videos/{id}          the MP4, with RFC 9110 Range and conditional requests
 *   POST /api/qoe                  the player's quality-of-experience report
 *   GET  /api/stats                byte provenance for the player (copies per byte sent)
 *   GET  /metrics                  Prometheus text format
 * </pre>
 *
 * The JDK server must be configured through system properties read once, when its classes load; {@link #configure}
 * sets them (Phase2Main calls it first thing).
 */
public final class Phase2Server implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Phase2Server.class.getName());
    static final int MAX_QOE_BYTES = QoeAggregator.MAX_BYTES;

    /** Options beyond host/port/media. */
    public record Settings(String io, long stallTimeoutMillis, Path frontend) {
        public Settings {
            BodyStrategy.named(io); // validates the name
            if (stallTimeoutMillis <= 0) throw new IllegalArgumentException("stall timeout must be > 0");
        }
    }

    private final HttpServer http;
    private final ExecutorService executor;
    private final Catalog catalog;
    private final StaticFiles statics;
    private final ServerMetrics metrics;
    private final ByteProvenance provenance = new ByteProvenance();
    private final Connections connections;
    private final StallWatchdog watchdog;
    private final VideoHandler videos;
    private final QoeAggregator qoe;
    private final String io;

    /** Idle keep-alive connections are closed after this long (sun.net.httpserver.idleInterval, in seconds). */
    static final long IDLE_SECONDS = 30;
    /** A request whose headers take longer than this to arrive is dropped (slowloris; sun.net.httpserver.maxReqTime, seconds). */
    static final long MAX_REQUEST_SECONDS = 20;

    /**
     * Sets the JDK server's tuning properties unless the user already set them. Must run before the first
     * {@code HttpServer} is created: {@code sun.net.httpserver.ServerConfig} reads them once.
     */
    public static void configure() {
        // Nagle's algorithm delays the small header write; with it off, TTFB and throughput improve markedly
        // (+55% req/s in the project's prototype measurements, which are not kept in this repository).
        setDefault("sun.net.httpserver.nodelay", "true");
        // The JDK never times out a stalled request by default (slowloris). The unit is seconds.
        setDefault("sun.net.httpserver.maxReqTime", Long.toString(MAX_REQUEST_SECONDS));
        setDefault("sun.net.httpserver.idleInterval", Long.toString(IDLE_SECONDS));
        // Past these the JDK drops the connection without a response; below them, check() answers 414/431 with a
        // reason. They also bound what one request can make the JDK buffer.
        setDefault("sun.net.httpserver.maxReqHeaders", "1000");
        setDefault("sun.net.httpserver.maxReqHeaderSize", Integer.toString(64 * 1024));
    }

    /** RFC 9110 §15.5.15 / RFC 6585 §5: we answer 414 past this many bytes of request target... */
    static final int MAX_URI_LENGTH = 8 * 1024;
    /** ...and 431 past this many header fields or bytes of header section. */
    static final int MAX_HEADER_FIELDS = 100;
    static final int MAX_HEADER_BYTES = 16 * 1024;

    /** Refuses requests whose target or header section is larger than any player sends. */
    private static boolean check(Call c) throws IOException {
        String target = c.exchange.getRequestURI().getRawPath();
        String query = c.exchange.getRequestURI().getRawQuery();
        if (target.length() + (query == null ? 0 : query.length()) > MAX_URI_LENGTH) {
            c.error(414, "request target longer than " + MAX_URI_LENGTH + " bytes");
            return false;
        }
        int fields = 0;
        long bytes = 0;
        for (var e : c.exchange.getRequestHeaders().entrySet()) {
            for (String v : e.getValue()) {
                fields++;
                bytes += e.getKey().length() + 4 + v.length();
            }
        }
        if (fields > MAX_HEADER_FIELDS || bytes > MAX_HEADER_BYTES) {
            c.error(431, "request header section too large (" + fields + " fields, " + bytes + " bytes; limits "
                    + MAX_HEADER_FIELDS + " and " + MAX_HEADER_BYTES + ")");
            return false;
        }
        return true;
    }

    private static void setDefault(String key, String value) {
        if (System.getProperty(key) == null) System.setProperty(key, value);
    }

    private Phase2Server(HttpServer http, ExecutorService executor, Path media, Settings settings) throws IOException {
        this.http = http;
        this.executor = executor;
        this.io = settings.io();
        this.catalog = new Catalog(media);
        this.statics = new StaticFiles(settings.frontend());
        this.connections = new Connections(IDLE_SECONDS * 1000);
        this.metrics = new ServerMetrics(io, provenance, connections);
        this.watchdog = new StallWatchdog(settings.stallTimeoutMillis(), metrics.stalledWrites::inc);
        this.videos = new VideoHandler(BodyStrategy.named(io), provenance, metrics, watchdog);
        this.qoe = new QoeAggregator(metrics.registry);
    }

    /**
     * Binds and starts a server.
     *
     * @throws IOException when the address cannot be bound or a folder cannot be read
     */
    public static Phase2Server start(String host, int port, Path media, Settings settings) throws IOException {
        configure();
        HttpServer http = HttpServer.create(new InetSocketAddress(host, port), 0);
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        Phase2Server s;
        try {
            s = new Phase2Server(http, executor, media, settings);
        } catch (IOException | RuntimeException e) {
            http.stop(0);
            executor.close();
            throw e;
        }
        http.createContext("/", s::handle);
        http.setExecutor(executor);
        http.start();
        s.catalog.rescan();
        return s;
    }

    public URI uri() {
        return LaunchOptions.urlOf(http.getAddress());
    }

    public Catalog catalog() {
        return catalog;
    }

    public ByteProvenance provenance() {
        return provenance;
    }

    @Override
    public void close() {
        http.stop(0);
        watchdog.close();
        executor.close();
    }

    private void handle(HttpExchange ex) {
        Call c = new Call(ex);
        InetSocketAddress remote = ex.getRemoteAddress();
        connections.started(remote);
        try {
            if (check(c)) route(c);
        } catch (IOException e) {
            // The client went away mid-response (closed tab, seek, the watchdog): routine, not an error.
            LOG.log(Level.FINE, "client gone: " + e);
            if (c.status == 0) c.status = 499; // nginx's "client closed request", for the log and metrics
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "handler failed for " + ex.getRequestURI(), e);
            if (c.status == 0) {
                try {
                    c.error(500, "internal error: " + e.getClass().getSimpleName());
                } catch (IOException ignored) {
                    // nothing more we can tell this client
                }
            }
        } finally {
            ex.close();
            connections.finished(remote);
            if (c.status == 0) c.status = 499;
            metrics.requests.labels(c.route, Integer.toString(c.status)).increment();
            metrics.bytesSent.add(c.bodyBytes);
            if (c.firstByteNanos > 0) metrics.ttfb.labels(c.route).observe((c.firstByteNanos - c.startNanos) / 1e9);
            AccessLog.log(c, io);
        }
    }

    private void route(Call c) throws IOException {
        String path = c.exchange.getRequestURI().getPath(); // decoded: %2f is already '/' here
        if (path == null || path.indexOf('\0') >= 0) {
            c.error(400, "bad request path");
            return;
        }
        if (path.startsWith("/videos/")) {
            c.route = "/videos/{id}";
            if (!allow(c, "GET", "HEAD")) return;
            Optional<VideoEntry> e = catalog.find(path.substring("/videos/".length()));
            if (e.isEmpty()) {
                c.error(404, "no video with id '" + ClientText.shorten(path.substring("/videos/".length())) + "'");
            } else {
                videos.serve(c, e.get());
            }
        } else if (path.equals("/api/videos")) {
            c.route = path;
            if (!allow(c, "GET", "HEAD")) return;
            List<Object> list = new ArrayList<>();
            for (VideoEntry e : catalog.list()) list.add(CatalogJson.entry(e));
            c.json(200, Map.of("videos", list));
        } else if (path.startsWith("/api/videos/")) {
            apiVideo(c, path.substring("/api/videos/".length()));
        } else if (path.equals("/api/qoe")) {
            c.route = path;
            if (!allow(c, "POST")) return;
            qoe(c);
        } else if (path.equals("/api/stats")) {
            c.route = path;
            if (!allow(c, "GET", "HEAD")) return;
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("io", io);
            m.put("bytes_sent", provenance.bytesSent());
            m.put("userspace_copy_bytes", provenance.bytesCopied());
            m.put("copies_per_byte", Math.round(provenance.copiesPerByte() * 1000) / 1000.0);
            m.put("requests", metrics.requests.total());
            m.put("open_connections", connections.open());
            c.json(200, m);
        } else if (path.equals("/metrics")) {
            c.route = path;
            if (!allow(c, "GET", "HEAD")) return;
            c.setHeader("Cache-Control", "no-store");
            c.send(200, "text/plain; version=0.0.4; charset=utf-8",
                    metrics.registry.scrape().getBytes(StandardCharsets.UTF_8));
        } else {
            c.route = "static";
            if (!allow(c, "GET", "HEAD")) return;
            Optional<Path> f = statics.find(path);
            byte[] body = f.isPresent() ? readIfStillThere(f.get()) : null;
            if (body == null) {
                c.error(404, "not found: " + ClientText.shorten(path));
                return;
            }
            c.setHeader("Cache-Control", "no-cache"); // always revalidate: students edit these files
            c.send(200, StaticFiles.contentType(f.get()), body);
        }
    }

    /**
     * A static file's bytes, or null when it is gone: the list of files is older than a student's last edit. A file
     * deleted since must be a 404, not an IOException that handle() takes for a client gone (the connection closed
     * unanswered), and a FIFO put in its place is not opened (open(2) would wait for a writer): MediaFiles.readAll's
     * check.
     */
    private static byte[] readIfStillThere(Path file) throws IOException {
        try {
            return MediaFiles.readAll(file);
        } catch (FileSystemException e) {
            return null;
        }
    }

    private void apiVideo(Call c, String rest) throws IOException {
        boolean boxes = rest.endsWith("/boxes");
        String id = boxes ? rest.substring(0, rest.length() - "/boxes".length()) : rest;
        c.route = boxes ? "/api/videos/{id}/boxes" : "/api/videos/{id}";
        if (!allow(c, "GET", "HEAD")) return;
        Optional<VideoEntry> e = catalog.find(id);
        if (e.isEmpty()) {
            c.error(404, "no video with id '" + ClientText.shorten(id) + "'");
        } else if (!boxes) {
            c.json(200, CatalogJson.entry(e.get()));
        } else if (!e.get().ok()) {
            c.error(422, "'" + id + "' is not a valid MP4: " + e.get().error());
        } else {
            Map<String, Object> tree;
            try {
                tree = CatalogJson.boxes(e.get());
            } catch (Mp4FormatException ex) {
                c.error(422, "'" + id + "' has a damaged box tree: " + ex.getMessage());
                return;
            } catch (InternalError ex) {
                if (!MappingFault.is(ex)) throw ex;
                // The box tree is read from the moov mapping of the catalog's parse. A file truncated since
                // (ffmpeg -y rewriting it) faults on the missing pages, which HotSpot raises as this error
                // (MappedByteBuffer: "an unspecified exception"). The next listing parses the file again.
                c.setHeader("Retry-After", "1");
                c.error(503, "'" + id + "' changed while its boxes were read; try again in a moment");
                return;
            }
            c.json(200, tree);
        }
    }

    /** 405 with {@code Allow} (RFC 9110 §15.5.6) unless the method is one of {@code methods}. */
    private static boolean allow(Call c, String... methods) throws IOException {
        for (String m : methods) if (m.equals(c.method())) return true;
        c.setHeader("Allow", String.join(", ", methods));
        c.error(405, "method " + ClientText.shorten(c.method()) + " is not allowed here; use "
                + String.join(" or ", methods));
        return false;
    }

    private void qoe(Call c) throws IOException {
        if (!QoeAggregator.acceptsContentType(c.header("Content-Type"))) {
            // sendBeacon may send text/plain; anything else is not a QoE report
            c.error(415, "QoE reports are JSON (Content-Type: application/json)");
            return;
        }
        byte[] body;
        try (InputStream in = c.exchange.getRequestBody()) {
            body = in.readNBytes(MAX_QOE_BYTES + 1);
        }
        if (body.length > MAX_QOE_BYTES) {
            c.error(413, "QoE report larger than " + MAX_QOE_BYTES + " bytes");
            return;
        }
        try {
            qoe.add(QoeAggregator.parse(new String(body, StandardCharsets.UTF_8)));
        } catch (JsonParser.JsonException | IllegalArgumentException e) {
            c.error(400, "bad QoE report: " + e.getMessage());
            return;
        }
        c.sendHeaders(204, 0);
    }
}
