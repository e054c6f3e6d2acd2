package dev.streamlab.phase3;

import dev.streamlab.catalog.Catalog;
import dev.streamlab.catalog.CatalogJson;
import dev.streamlab.catalog.VideoEntry;
import dev.streamlab.http.StaticFiles;
import dev.streamlab.http.io.ByteProvenance;
import dev.streamlab.http1.Http1Exchange;
import dev.streamlab.http1.Http1Handler;
import dev.streamlab.http1.Http1Server;
import dev.streamlab.http1.Http1Settings;
import dev.streamlab.shared.io.MappingFault;
import dev.streamlab.http1.UpgradeHandler;
import dev.streamlab.metrics.MetricsRegistry;
import dev.streamlab.mp4.Mp4FormatException;
import dev.streamlab.qoe.QoeAggregator;
import dev.streamlab.shared.cli.LaunchOptions;
import dev.streamlab.shared.io.MediaFiles;
import dev.streamlab.shared.json.JsonParser;
import dev.streamlab.shared.text.ClientText;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Phase 3: the video server of phase 2 — same routes, same semantics — on our own HTTP/1.1 server
 * ({@link Http1Server}: a {@code ServerSocketChannel}, a virtual thread per connection), which lets video bodies go
 * out with {@code FileChannel.transferTo} (sendfile, 0 user-space copies) instead of phase 2's three copies.
 *
 * <pre>
 *   GET  /                         the player (frontend/index.html) and its static files
 *   GET  /api/videos               the catalog (JSON)           GET /api/videos/{id}        one entry
 *   GET  /api/videos/{id}/boxes    the MP4 explainer: box tree, keyframe map, warnings
 *   GET|HEAD /videos/{id}          the MP4, with RFC 9110 Range and conditional requests (phase 2's RangeRequest)
 *   POST /api/qoe                  the player's quality-of-experience report
 *   GET  /api/stats                byte provenance for the player (copies per byte sent)
 *   GET  /metrics                  Prometheus text format
 *        /ws/...                   upgrade requests go to the registered {@link UpgradeHandler}; 404 until one is
 *   OPTIONS *                      200, {@code Allow:} the methods this server answers (RFC 9110 §9.3.7)
 * </pre>
 */
public final class Phase3Server implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Phase3Server.class.getName());
    /** What /api/stats and the access log call the body path. */
    static final String IO = "sendfile";
    /**
     * Every method some route answers, for {@code OPTIONS *}: GET and HEAD (files, API, metrics, and phase 4's
     * routes), POST ({@code /api/qoe}), OPTIONS (the asterisk form). A route that answers another method must add it here.
     */
    static final String METHODS = "GET, HEAD, POST, OPTIONS";

    /**
     * Options beyond host, port and media.
     *
     * @param frontend the player's folder
     * @param http     threads, connection cap, timeouts and limits of the HTTP/1.1 server
     */
    public record Settings(Path frontend, Http1Settings http) {
        public Settings {
            Objects.requireNonNull(frontend, "frontend");
            Objects.requireNonNull(http, "http");
        }

        /** The player in {@code frontend} and {@link Http1Settings#DEFAULTS}. */
        public static Settings of(Path frontend) {
            return new Settings(frontend, Http1Settings.DEFAULTS);
        }

        public Settings withHttp(Http1Settings h) {
            return new Settings(frontend, h);
        }
    }

    private final Catalog catalog;
    private final StaticFiles statics;
    private final ByteProvenance provenance = new ByteProvenance();
    private final Phase3Metrics metrics;
    private final OpenFiles files = new OpenFiles();
    private final VideoRoute videos;
    private final QoeAggregator qoe;
    private final Http1Server http;
    private volatile UpgradeHandler webSockets;
    /** Routes added by later phases (phase 4's dashboard, processed view...), matched by path prefix before files. */
    private final List<Map.Entry<String, Http1Handler>> extraRoutes = new java.util.concurrent.CopyOnWriteArrayList<>();

    private Phase3Server(String host, int port, Path media, Settings settings) throws IOException {
        this.catalog = new Catalog(media);
        this.statics = new StaticFiles(settings.frontend());
        this.metrics = new Phase3Metrics(IO, provenance, this::openConnections);
        this.videos = new VideoRoute(provenance, metrics, files);
        metrics.registry.gauge("streamlab_http_open_files", "Video files held open across requests (OpenFiles).",
                files::size);
        metrics.registry.gauge("streamlab_http_file_opens_total", "Times a video file was opened: once per file,"
                + " and again when it changes (OpenFiles).", files::opens);
        this.qoe = new QoeAggregator(metrics.registry);
        this.http = Http1Server.start(new InetSocketAddress(host, port), settings.http(), this::handle, metrics);
    }

    /** Connections open now (HTTP and WebSocket alike). */
    public int openConnections() {
        Http1Server h = http; // null while the constructor runs
        return h == null ? 0 : h.openConnections();
    }

    /**
     * Binds and starts a server.
     *
     * @throws IOException when the address cannot be bound or a folder cannot be read
     */
    public static Phase3Server start(String host, int port, Path media, Settings settings) throws IOException {
        Phase3Server s = new Phase3Server(host, port, media, settings);
        try {
            s.catalog.rescan();
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    public URI uri() {
        return LaunchOptions.urlOf(http.address());
    }

    public Catalog catalog() {
        return catalog;
    }

    public ByteProvenance provenance() {
        return provenance;
    }

    /** The metrics served at {@code /metrics}, for a WebSocket endpoint to add its own to. */
    public MetricsRegistry metrics() {
        return metrics.registry;
    }

    /** The video files kept open across requests ({@code /videos/{id}}'s, for routes that read the same files). */
    public OpenFiles openFiles() {
        return files;
    }

    /**
     * Registers the handler for upgrade requests to {@code /ws/...} (the WebSocket endpoint, written separately in
     * {@code dev.streamlab.websocket}); null unregisters. Until one is registered, {@code /ws/...} answers 404.
     */
    public void setUpgradeHandler(UpgradeHandler handler) {
        this.webSockets = handler;
    }

    /**
     * Adds a route for every path starting with {@code prefix}, tried in the order added, after this server's own
     * routes and before the static files. Phase 4 plugs its pages in this way instead of copying this class.
     */
    public Phase3Server addRoute(String prefix, Http1Handler handler) {
        if (!prefix.startsWith("/")) throw new IllegalArgumentException("a route prefix starts with /: " + prefix);
        extraRoutes.add(Map.entry(prefix, Objects.requireNonNull(handler, "handler")));
        return this;
    }

    /** Stops accepting and closes every connection. */
    @Override
    public void close() {
        http.close();
        files.close();
    }

    private void handle(Http1Exchange ex) throws IOException {
        Call c = new Call(ex);
        metrics.active.incrementAndGet();
        int unsent = 499;
        try {
            route(c);
        } catch (RuntimeException e) {
            // A half-sent response cannot be repaired: the connection logs the bug and closes.
            if (ex.committed()) throw e;
            LOG.log(Level.WARNING, "handler failed for " + ex.request(), e);
            ex.error(500, "internal error: " + e.getClass().getSimpleName());
        } catch (InternalError e) {
            // The connection answers a mapped file's fault once this returns: count the 503 it sends, not a 499.
            if (MappingFault.is(e)) unsent = 503;
            throw e;
        } finally {
            metrics.active.decrementAndGet();
            // An IOException (the client went away mid-response: closed tab, seek, the watchdog) passes through to
            // the connection, which closes. If nothing was sent, log nginx's 499 "client closed request".
            int status = ex.status() == 0 ? unsent : ex.status();
            metrics.requests.labels(c.route, Integer.toString(status)).increment();
            metrics.bytesSent.add(ex.bodyBytes());
            if (ex.firstByteNanos() > 0) {
                metrics.ttfb.labels(c.route).observe((ex.firstByteNanos() - ex.startNanos()) / 1e9);
            }
            // How the body left: phase 4's routes and every JSON or static response write from memory.
            AccessLog.log(c, ex.sentFromFile() ? IO : ex.bodyBytes() > 0 ? "write" : "none", status);
        }
    }

    private void route(Call c) throws IOException {
        String path = c.ex.request().path(); // decoded: %2f is already '/' here
        if (path.equals("*")) {
            // The asterisk form, which the parser lets through for OPTIONS only (RFC 9112 §3.2.4; any other method
            // gets 400 there): a question about the server in general, not a resource (RFC 9110 §9.3.7).
            c.route = "*";
            c.ex.header("Allow", METHODS);
            c.ex.sendHeaders(200, 0);
            return;
        }
        if (path.indexOf('\0') >= 0) {
            c.ex.error(400, "bad request path");
            return;
        }
        if (path.startsWith("/videos/")) {
            c.route = "/videos/{id}";
            if (!allow(c, "GET", "HEAD")) return;
            Optional<VideoEntry> e = catalog.find(path.substring("/videos/".length()));
            if (e.isEmpty()) {
                c.ex.error(404, "no video with id '" + ClientText.shorten(path.substring("/videos/".length())) + "'");
            } else {
                videos.serve(c, e.get());
            }
        } else if (path.equals("/api/videos")) {
            c.route = path;
            if (!allow(c, "GET", "HEAD")) return;
            List<Object> list = new ArrayList<>();
            for (VideoEntry e : catalog.list()) list.add(CatalogJson.entry(e));
            c.ex.json(200, Map.of("videos", list));
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
            m.put("io", IO);
            m.put("bytes_sent", provenance.bytesSent());
            m.put("userspace_copy_bytes", provenance.bytesCopied());
            m.put("copies_per_byte", Math.round(provenance.copiesPerByte() * 1000) / 1000.0);
            m.put("transferto_zero_returns", metrics.transferToZero.total());
            m.put("requests", metrics.requests.total());
            m.put("open_connections", openConnections());
            c.ex.json(200, m);
        } else if (path.equals("/metrics")) {
            c.route = path;
            if (!allow(c, "GET", "HEAD")) return;
            c.ex.header("Cache-Control", "no-store");
            c.ex.send(200, MetricsRegistry.CONTENT_TYPE, metrics.registry.scrape().getBytes(StandardCharsets.UTF_8));
        } else if (path.startsWith("/ws/")) {
            c.route = "/ws/*";
            // The WebSocket endpoint (dev.streamlab.websocket) is written separately and plugs in with
            // setUpgradeHandler. Until it does /ws/... is a 404; after, a known path without Upgrade is a 426.
            UpgradeHandler ws = webSockets;
            if (ws != null && c.ex.upgrade(ws)) return;
            if (ws != null && ws.accepts(path)) {
                // RFC 9110 §15.5.22: the endpoint exists but speaks WebSocket only; say which protocol to ask for.
                c.ex.header("Upgrade", "websocket");
                c.ex.error(426, "WebSocket endpoint " + ClientText.shorten(path)
                        + ": send an HTTP/1.1 upgrade request (Upgrade: websocket)");
                return;
            }
            c.ex.error(404, "no WebSocket endpoint at " + ClientText.shorten(path)
                    + (ws == null ? " (none is registered yet)" : ""));
        } else if (extraRoute(path) instanceof Map.Entry<String, Http1Handler> r) {
            c.route = r.getKey() + "*";
            r.getValue().handle(c.ex);
        } else {
            c.route = "static";
            if (!allow(c, "GET", "HEAD")) return;
            Optional<Path> f = statics.find(path);
            if (f.isEmpty()) {
                c.ex.error(404, "not found: " + ClientText.shorten(path));
                return;
            }
            byte[] body;
            try {
                body = MediaFiles.readAll(f.get());
            } catch (FileSystemException e) {
                // Phase 2's fix: the list of files is older than a student's last edit. Gone (or a FIFO, not opened)
                // is a 404, not an IOException that the connection takes for a client gone and closes unanswered.
                c.ex.error(404, "not found: " + ClientText.shorten(path) + " " + MediaFiles.whyUnavailable(e));
                return;
            }
            c.ex.header("Cache-Control", "no-cache"); // always revalidate: students edit these files
            c.ex.send(200, StaticFiles.contentType(f.get()), body);
        }
    }

    private void apiVideo(Call c, String rest) throws IOException {
        boolean boxes = rest.endsWith("/boxes");
        String id = boxes ? rest.substring(0, rest.length() - "/boxes".length()) : rest;
        c.route = boxes ? "/api/videos/{id}/boxes" : "/api/videos/{id}";
        if (!allow(c, "GET", "HEAD")) return;
        Optional<VideoEntry> e = catalog.find(id);
        if (e.isEmpty()) {
            c.ex.error(404, "no video with id '" + ClientText.shorten(id) + "'");
        } else if (!boxes) {
            c.ex.json(200, CatalogJson.entry(e.get()));
        } else if (!e.get().ok()) {
            c.ex.error(422, "'" + id + "' is not a valid MP4: " + e.get().error());
        } else {
            Map<String, Object> tree;
            try {
                tree = CatalogJson.boxes(e.get());
            } catch (Mp4FormatException ex) {
                c.ex.error(422, "'" + id + "' has a damaged box tree: " + ex.getMessage());
                return;
            }
            // The box tree is read from the moov mapping of the catalog's parse: a file truncated since faults there,
            // and Http1Connection answers that 503, Retry-After (MappingFault). The next listing parses it again.
            c.ex.json(200, tree);
        }
    }

    private Map.Entry<String, Http1Handler> extraRoute(String path) {
        for (Map.Entry<String, Http1Handler> r : extraRoutes) if (path.startsWith(r.getKey())) return r;
        return null;
    }

    /** 405 with {@code Allow} (RFC 9110 §15.5.6) unless the method is one of {@code methods}. */
    private static boolean allow(Call c, String... methods) throws IOException {
        for (String m : methods) if (m.equals(c.method())) return true;
        c.ex.header("Allow", String.join(", ", methods));
        c.ex.error(405, "method " + ClientText.shorten(c.method()) + " is not allowed here; use "
                + String.join(" or ", methods));
        return false;
    }

    private void qoe(Call c) throws IOException {
        if (!QoeAggregator.acceptsContentType(c.header("Content-Type"))) {
            // sendBeacon may send text/plain; anything else is not a QoE report
            c.ex.error(415, "QoE reports are JSON (Content-Type: application/json)");
            return;
        }
        if (c.ex.request().bodyLength() > QoeAggregator.MAX_BYTES) {
            c.ex.error(413, "QoE report larger than " + QoeAggregator.MAX_BYTES + " bytes");
            return;
        }
        try {
            qoe.add(QoeAggregator.parse(c.ex.request().bodyText()));
        } catch (JsonParser.JsonException | IllegalArgumentException e) {
            c.ex.error(400, "bad QoE report: " + e.getMessage());
            return;
        }
        c.ex.sendHeaders(204, -1);
    }
}
