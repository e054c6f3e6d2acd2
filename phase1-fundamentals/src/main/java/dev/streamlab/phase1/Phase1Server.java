package dev.streamlab.phase1;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.streamlab.mp4.Mp4File;
import dev.streamlab.probe.Probe;
import dev.streamlab.shared.cli.LaunchOptions;
import dev.streamlab.shared.io.MediaFiles;
import dev.streamlab.shared.json.Json;
import dev.streamlab.shared.text.ClientText;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Phase 1's small web page: what our own MP4 parser says about every sample, in the browser.
 *
 * <p>Routes: {@code GET /} (the page, {@code frontend/probe.html}), {@code GET /api/probe} (JSON: one probe report
 * per {@code .mp4} under the media folder, re-read on every request so new files appear without a restart).
 * Phase 1 streams no video; phase 2 is the HTTP streaming server.
 */
public final class Phase1Server implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Phase1Server.class.getName());

    private final HttpServer server;
    private final ExecutorService executor;
    private final Path media;
    private final Path frontend;

    private Phase1Server(HttpServer server, ExecutorService executor, Path media, Path frontend) {
        this.server = server;
        this.executor = executor;
        this.media = media;
        this.frontend = frontend;
    }

    /**
     * Binds {@code host:port} and starts serving.
     *
     * @param frontend folder with {@code probe.html}
     * @throws IOException when the address cannot be bound (port in use, unknown host)
     */
    public static Phase1Server start(String host, int port, Path media, Path frontend) throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress(host, port), 0);
        // One virtual thread per exchange: the handler blocks on file reads without tying up a platform thread.
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        Phase1Server s = new Phase1Server(http, executor, media, frontend);
        http.createContext("/", s::handle);
        http.setExecutor(executor);
        http.start();
        return s;
    }

    /** The page's URL, e.g. {@code http://127.0.0.1:8080/}. */
    public URI uri() {
        return LaunchOptions.urlOf(server.getAddress());
    }

    @Override
    public void close() {
        server.stop(0);
        executor.close();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            String method = ex.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                ex.getResponseHeaders().set("Allow", "GET, HEAD");
                send(ex, 405, "application/json", Json.write(Map.of("error", "method "
                        + ClientText.shorten(method) + " not allowed")));
                return;
            }
            switch (path) {
                case "/", "/index.html" -> sendFile(ex, frontend.resolve("probe.html"));
                case "/api/probe" -> probe(ex);
                default -> send(ex, 404, "application/json",
                        Json.write(Map.of("error", "no such page: " + ClientText.shorten(path))));
            }
        } catch (IOException | RuntimeException e) {
            // A client that hung up mid-response is routine; anything else is logged for the student to see.
            LOG.log(Level.FINE, "request failed", e);
        }
    }

    /**
     * {@code /api/probe}. A media folder that cannot be listed (removed, renamed or made unreadable while the server
     * runs) is a 503 that names it: the server is fine and answers again once the folder is back. Before, the
     * listing's exception reached handle(), which took it for a client gone and closed the connection unanswered.
     * A subfolder that cannot be listed is one entry with its error, like a file that does not parse: it hides
     * nothing else.
     */
    private void probe(HttpExchange ex) throws IOException {
        MediaFiles.Listing listing;
        try {
            listing = MediaFiles.list(media, 4, p -> p.toString().endsWith(".mp4") && Files.isRegularFile(p));
        } catch (IOException e) {
            send(ex, 503, "application/json",
                    Json.write(Map.of("error", "cannot list the media folder " + media + ": " + reason(e))));
            return;
        }
        send(ex, 200, "application/json", Json.pretty(probeAll(listing)));
    }

    private static String reason(IOException e) {
        if (e instanceof NoSuchFileException) return "no such directory";
        if (e instanceof FileSystemException f && f.getReason() != null) return f.getReason();
        return String.valueOf(e.getMessage());
    }

    /**
     * Every sample's report, in path order; a file that does not parse and a folder that cannot be listed get their
     * error instead, so one bad file or folder hides nothing.
     */
    private Map<String, Object> probeAll(MediaFiles.Listing listing) {
        Map<Path, Map<String, Object>> entries = new TreeMap<>();
        for (Path p : listing.files()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("file", media.relativize(p).toString());
            try {
                entry.putAll(Probe.report(Mp4File.open(p)));
            } catch (IOException e) {
                entry.put("error", e.getMessage());
            }
            entries.put(p, entry);
        }
        listing.unlisted().forEach((dir, error) -> {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("file", media.relativize(dir).toString());
            entry.put("error", "cannot list this folder: " + reason(error));
            entries.put(dir, entry);
        });
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("media", media.toString());
        out.put("files", new ArrayList<Object>(entries.values()));
        return out;
    }

    private static void sendFile(HttpExchange ex, Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            send(ex, 404, "application/json", Json.write(Map.of("error", "frontend file missing: " + file)));
            return;
        }
        send(ex, 200, "text/html; charset=utf-8", Files.readString(file));
    }

    private static void send(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        boolean head = ex.getRequestMethod().equals("HEAD");
        // -1 = no body (HEAD); otherwise the exact length, so the JDK sends Content-Length rather than chunks.
        ex.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            // Closed only after a complete write: closing the JDK's body stream short of its length leaves the
            // connection open (see phase 2's Call); handle()'s try-with-resources on the exchange closes it.
            OutputStream out = ex.getResponseBody();
            out.write(bytes);
            out.close();
        }
    }
}
