package dev.streamlab.dashboard;

import dev.streamlab.http1.Http1Exchange;
import dev.streamlab.http1.Http1Handler;
import dev.streamlab.shared.io.MediaFiles;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * {@code GET /dashboard}: the metrics dashboard page ({@code frontend/dashboard.html}; its script and style are
 * phase 3's static files, in {@code js/} and {@code css/}). Plain JavaScript and canvas, polling {@code /metrics} once
 * a second. Installed for the prefix {@code /dashboard}, so it answers {@code /dashboard.html} too (a prefix route
 * comes before the static files) and 404s the rest.
 */
public final class DashboardRoute implements Http1Handler {
    public static final String PATH = "/dashboard";
    private final Path page;

    /**
     * Installs the dashboard on {@code server}: this route, the JVM gauges ({@link JvmMetrics}) its charts read, and
     * {@code /api/dashboard/clients}; returns the {@link ClientLevels} to wrap {@code /ws/stream}'s endpoint with.
     * The page is found where phase 3 finds the player: {@code -Dstreamlab.frontend}, else {@code frontend/} beside
     * the media folder.
     */
    public static ClientLevels install(dev.streamlab.phase3.Phase3Server server) {
        JvmMetrics.register(server.metrics());
        Path frontend = Path.of(System.getProperty("streamlab.frontend",
                server.catalog().root().resolveSibling("frontend").toString()));
        server.addRoute(PATH, new DashboardRoute(frontend));
        ClientLevels levels = new ClientLevels();
        server.addRoute(ClientLevels.PATH, levels.route());
        return levels;
    }

    /** Serves {@code dashboard.html} from the {@code frontend} folder. */
    public DashboardRoute(Path frontend) {
        this.page = frontend.resolve("dashboard.html");
    }

    @Override
    public void handle(Http1Exchange ex) throws IOException {
        String path = ex.request().path();
        if (!path.equals(PATH) && !path.equals(PATH + "/") && !path.equals(PATH + ".html")) {
            ex.error(404, "not found: the dashboard is at " + PATH);
            return;
        }
        if (!ex.method().equals("GET") && !ex.method().equals("HEAD")) {
            ex.header("Allow", "GET, HEAD");
            ex.error(405, "use GET or HEAD");
            return;
        }
        byte[] html;
        try {
            html = MediaFiles.readAll(page); // read each time: students edit it while the server runs
        } catch (NoSuchFileException e) {
            ex.error(404, "dashboard.html is missing from the frontend folder " + page.getParent());
            return;
        } catch (FileSystemException e) {
            // A FIFO in its place is not opened (the open would wait for a writer); a link loop is not followed.
            ex.error(404, "dashboard.html " + MediaFiles.whyUnavailable(e));
            return;
        }
        ex.header("Cache-Control", "no-cache");
        ex.send(200, "text/html; charset=utf-8", html);
    }
}
