package dev.streamlab.mjpeg;

import dev.streamlab.catalog.VideoEntry;
import dev.streamlab.pixels.Filter;
import dev.streamlab.shared.io.MediaFiles;
import dev.streamlab.shared.text.ClientText;
import dev.streamlab.websocket.WsCloseCodes;
import dev.streamlab.websocket.WsEvent;
import dev.streamlab.websocket.WsLimits;
import dev.streamlab.websocket.server.WsConnection;
import dev.streamlab.websocket.server.WsEndpoint;
import dev.streamlab.y4m.ProxyUnavailableException;
import dev.streamlab.y4m.Y4mFormatException;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import dev.streamlab.shared.json.Json;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code /ws/processed/{id}?filter=...}: one connection's processed stream. A sender thread (virtual) pushes one
 * binary message per frame, a JPEG, at the proxy's frame rate; the connection's reader thread takes text messages
 * naming a filter; the sender switches to it before its next frame and says so first with {@code {"filter":"blur"}}
 * (so every frame after that text message has the new filter); an unknown name gets {@code {"error":"..."}}. The
 * socket's own back-pressure paces a slow client: a blocked send delays the next frame. A stream takes one of
 * {@link ProcessedVideos}' stream permits for its lifetime; with none free, or the client's share of them taken,
 * the connection is closed with 1013 (try again later) and the reason.
 */
final class ProcessedEndpoint implements WsEndpoint {
    private static final Logger LOG = Logger.getLogger(ProcessedEndpoint.class.getName());
    /**
     * A client sends filter names, ten letters at most: a frame or message past 256 bytes is closed with 1009 from its
     * header (RFC 6455 §7.4.1), as {@code /ws/stream} does past 4 KiB. The server's 16 MiB let a 64 KiB text of
     * whitespace be read whole and taken as "none".
     */
    static final WsLimits LIMITS = new WsLimits(256, 256);

    private final ProcessedVideos videos;
    private final String id;
    private final String query;
    private volatile Filter filter = Filter.NONE;
    private volatile boolean closed;
    private Thread sender;

    ProcessedEndpoint(ProcessedVideos videos, String id, String query) {
        this.videos = videos;
        this.id = id;
        this.query = query;
    }

    @Override
    public void opened(WsConnection c) throws IOException {
        try {
            filter = Filter.parse(Query.param(query, "filter"));
        } catch (IllegalArgumentException bad) {
            c.close(WsCloseCodes.POLICY_VIOLATION, bad.getMessage());
            return;
        }
        sender = Thread.ofVirtual().name("ws-processed-" + id).start(() -> send(c));
    }

    private void send(WsConnection c) {
        Optional<VideoEntry> e = videos.find(id);
        try {
            if (e.isEmpty()) {
                c.close(WsCloseCodes.POLICY_VIOLATION, "no video with id '" + ClientText.shorten(id) + "'");
                return;
            }
            if (!e.get().ok()) {
                // As /mjpeg's 422: the catalog's parse already refused it, so ffmpeg is not asked (its failure was
                // a 1011, a server error, for what is the file's).
                c.close(WsCloseCodes.POLICY_VIOLATION, "'" + ClientText.shorten(id, 24) + "' is not a valid MP4");
                return;
            }
            InetAddress client = c.remoteAddress();
            Optional<String> refused = videos.admit(client);
            if (refused.isPresent()) {
                c.close(WsCloseCodes.TRY_AGAIN_LATER, refused.get());
                return;
            }
            try (ProcessedStream s = videos.open(e.get(), filter)) {
                ProcessedVideos.Pacer pacer = new ProcessedVideos.Pacer(s.frameNanos());
                while (!closed && pacer.withinLimit()) {
                    Filter wanted = filter;
                    if (wanted != s.filter()) {
                        // Sent here, by the sender, so the acknowledgement precedes the first frame it applies to.
                        s.filter(wanted);
                        c.sendText(utf8(Json.write(Map.of("filter", wanted.wireName()))));
                    }
                    ByteBuffer jpeg = s.next();
                    int length = jpeg.remaining();
                    c.sendBinary(jpeg);
                    videos.metrics.sent("ws", s, length);
                    pacer.await();
                }
                if (!closed) c.close(WsCloseCodes.NORMAL_CLOSURE, "stream time limit reached");
            } finally {
                videos.release(client);
            }
        } catch (ProxyUnavailableException unavailable) {
            closeQuietly(c, unavailable.retryAfterSeconds() > 0 ? WsCloseCodes.TRY_AGAIN_LATER
                    : WsCloseCodes.INTERNAL_ERROR, unavailable.getMessage());
        } catch (Y4mFormatException | IllegalArgumentException bad) {
            closeQuietly(c, WsCloseCodes.INTERNAL_ERROR, "the .y4m proxy is unusable: " + bad.getMessage());
        } catch (FileSystemException unavailable) {
            // The video, not the peer: removed, a FIFO or a link loop since the listing. Taken for a peer gone, the
            // sender ended without a word and the client waited on an open connection.
            if (e.isPresent() && MediaFiles.isAbout(unavailable, e.get().file())) {
                closeQuietly(c, WsCloseCodes.POLICY_VIOLATION, "video '" + ClientText.shorten(id) + "' "
                        + MediaFiles.whyUnavailable(unavailable));
            }
        } catch (IOException gone) {
            // the peer went away or the connection is closing: nothing to tell anyone
        } catch (RuntimeException bug) {
            LOG.log(Level.WARNING, "processed stream of " + id + " failed", bug);
            closeQuietly(c, WsCloseCodes.INTERNAL_ERROR, "internal error: " + bug.getClass().getSimpleName());
        }
    }

    @Override
    public WsLimits limits(WsLimits server) {
        return LIMITS;
    }

    @Override
    public void message(WsConnection c, WsEvent message) throws IOException {
        if (!(message instanceof WsEvent.Text t)) {
            c.close(WsCloseCodes.UNSUPPORTED_DATA, "send a filter name as text: " + Filter.names());
            return;
        }
        String name = t.text().strip();
        if (name.isEmpty()) {
            // Filter.parse reads an absent or empty ?filter= as "none"; a message is a name the client chose to send
            c.sendText(utf8(Json.write(Map.of("error", "a text message names a filter: " + Filter.names()))));
            return;
        }
        try {
            filter = Filter.parse(name); // the sender switches and acknowledges before its next frame
        } catch (IllegalArgumentException bad) {
            c.sendText(utf8(Json.write(Map.of("error", bad.getMessage()))));
        }
    }

    private static ByteBuffer utf8(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void closed(WsConnection c, int code) {
        closed = true;
        Thread t = sender;
        if (t != null) t.interrupt(); // wakes a parked pacer; a blocked write fails as the socket closes
    }

    private static void closeQuietly(WsConnection c, int code, String reason) {
        try {
            c.close(code, reason);
        } catch (IOException e) {
            // already gone
        }
    }
}
