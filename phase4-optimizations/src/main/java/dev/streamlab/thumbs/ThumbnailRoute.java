package dev.streamlab.thumbs;

import dev.streamlab.catalog.VideoEntry;
import dev.streamlab.http1.Http1Exchange;
import dev.streamlab.phase3.Phase3Server;
import dev.streamlab.shared.io.MediaFiles;
import dev.streamlab.shared.text.ClientText;
import dev.streamlab.y4m.ProxyUnavailableException;
import dev.streamlab.y4m.Y4mFormatException;
import dev.streamlab.y4m.Y4mProxies;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/**
 * {@code GET /thumbs/{id}/sprite.jpg | thumbnails.vtt | index.json | poster.jpg}: a video's seek-bar previews (a
 * sprite sheet with a WebVTT thumbnails track and a JSON index) and its catalog poster, made on first request from
 * its .y4m proxy and cached on disk. 404 for an unknown video or file name, 503 when ffmpeg is needed and missing.
 */
public final class ThumbnailRoute {
    static final String PREFIX = "/thumbs/";
    private static final Set<String> FILES = Set.of(SpriteSheet.SPRITE, SpriteSheet.VTT, SpriteSheet.INDEX,
            SpriteSheet.POSTER);

    private final Phase3Server server;
    private final Y4mProxies proxies;
    private final Thumbnails thumbnails;

    private ThumbnailRoute(Phase3Server server, Y4mProxies proxies, Thumbnails thumbnails) {
        this.server = server;
        this.proxies = proxies;
        this.thumbnails = thumbnails;
    }

    public static void install(Phase3Server server, Y4mProxies proxies) {
        ThumbnailRoute r = new ThumbnailRoute(server, proxies, Thumbnails.besides(proxies.cacheDir()));
        server.addRoute(PREFIX, r::handle);
    }

    private void handle(Http1Exchange ex) throws IOException {
        if (!ex.method().equals("GET") && !ex.method().equals("HEAD")) {
            ex.header("Allow", "GET, HEAD");
            ex.error(405, "thumbnails answer GET and HEAD");
            return;
        }
        String rest = ex.request().path().substring(PREFIX.length());
        int slash = rest.indexOf('/');
        String id = slash < 0 ? rest : rest.substring(0, slash);
        String name = slash < 0 ? "" : rest.substring(slash + 1);
        Optional<VideoEntry> e = server.catalog().find(id);
        if (e.isEmpty()) {
            ex.error(404, "no video with id '" + ClientText.shorten(id) + "'");
            return;
        }
        if (!e.get().ok()) {
            ex.error(422, "'" + ClientText.shorten(id) + "' is not a valid MP4: " + e.get().error());
            return;
        }
        if (!FILES.contains(name)) {
            ex.error(404, "no thumbnail file '" + ClientText.shorten(name) + "'; there are "
                    + String.join(", ", FILES.stream().sorted().toList()));
            return;
        }
        SpriteSheet sheet;
        try {
            // The catalog's view decides every file of a sheet: a file changed since its listing is a 503 for now.
            sheet = proxies.read(id, e.get().file(), new Y4mProxies.Listed(e.get().size(), e.get().lastModified()),
                    thumbnails::sheet); // a damaged proxy is made again once
        } catch (ProxyUnavailableException unavailable) {
            if (unavailable.retryAfterSeconds() > 0) {
                ex.header("Retry-After", Integer.toString(unavailable.retryAfterSeconds()));
            }
            ex.error(503, unavailable.getMessage());
            return;
        } catch (Y4mFormatException bad) {
            ex.error(500, "the .y4m proxy of '" + id + "' is unusable: " + bad.getMessage());
            return;
        } catch (FileSystemException gone) {
            // The video, listed up to a second ago, is removed, a FIFO or a link loop now: say so, rather than let
            // the connection take the IOException for a client gone and close unanswered.
            if (!MediaFiles.isAbout(gone, e.get().file())) throw gone;
            ex.error(404, "video '" + id + "' " + MediaFiles.whyUnavailable(gone));
            return;
        }
        Path f = sheet.dir().resolve(name);
        String type = name.endsWith(".vtt") ? "text/vtt; charset=utf-8"
                : name.endsWith(".json") ? "application/json" : "image/jpeg";
        byte[] body;
        try {
            body = MediaFiles.readAll(f);
        } catch (FileSystemException gone) {
            // Removed from the cache (or replaced by a FIFO) between sheet()'s check and this read: the next request
            // makes the sheet again. Not an IOException that the connection takes for a client gone.
            ex.header("Retry-After", "1");
            ex.error(503, "the thumbnail cache of '" + id + "' changed while it was read; try again in a moment");
            return;
        }
        ex.header("Cache-Control", "no-cache");
        ex.send(200, type, body);
    }
}
