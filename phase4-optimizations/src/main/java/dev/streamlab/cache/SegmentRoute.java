package dev.streamlab.cache;

import dev.streamlab.catalog.Catalog;
import dev.streamlab.catalog.VideoEntry;
import dev.streamlab.http1.Http1Exchange;
import dev.streamlab.http1.Http1Handler;
import dev.streamlab.mp4.Mp4FormatException;
import dev.streamlab.mp4.TrackKind;
import dev.streamlab.shared.io.MediaFiles;
import dev.streamlab.stream.fmp4.Fmp4Remuxer;
import dev.streamlab.stream.fmp4.Fmp4Track;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;

/**
 * {@code GET|HEAD {prefix}{id}/{video|audio}/{init|N}}: one remuxed fMP4 segment of a catalog video over plain HTTP,
 * either through the {@link SegmentCache} ({@code /cached/segments/}) or rebuilt by phase 3's remuxer on every
 * request ({@code /remux/segments/}, what {@code StreamSession} does today) — the pair {@code CacheBench} compares.
 *
 * <p>Remuxers (a parsed {@code moov} and a mapping of the file) are kept per file identity in a small LRU in both
 * modes: opening one per request would measure MP4 parsing, not segment building.
 */
public final class SegmentRoute implements Http1Handler {
    public static final String CACHED = "/cached/segments/";
    public static final String UNCACHED = "/remux/segments/";
    private static final int REMUXERS = 32;
    /**
     * A segment index: ASCII digits, at most 9 (an int). {@code parseInt} alone would also take "-1"
     * ({@link SegmentKey#INIT}, the init segment under another name), "+1" and non-ASCII digits.
     */
    private static final Pattern INDEX = Pattern.compile("[0-9]{1,9}");

    private final String prefix;
    private final Catalog catalog;
    private final SegmentCache segments; // null: rebuild every time
    private final ReentrantLock lock = new ReentrantLock();
    private final LinkedHashMap<FileIdentity, Fmp4Remuxer> remuxers = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<FileIdentity, Fmp4Remuxer> eldest) {
            return size() > REMUXERS;
        }
    };

    private SegmentRoute(String prefix, Catalog catalog, SegmentCache segments) {
        this.prefix = prefix;
        this.catalog = catalog;
        this.segments = segments;
    }

    /** {@code /cached/segments/...}: segments from {@code cache}. */
    public static SegmentRoute cached(Catalog catalog, ChunkCache<CacheKey> cache) {
        return new SegmentRoute(CACHED, catalog, new SegmentCache(cache));
    }

    /** {@code /remux/segments/...}: every segment rebuilt, for comparison. */
    public static SegmentRoute uncached(Catalog catalog) {
        return new SegmentRoute(UNCACHED, catalog, null);
    }

    public String prefix() {
        return prefix;
    }

    @Override
    public void handle(Http1Exchange ex) throws IOException {
        if (!ex.method().equals("GET") && !ex.method().equals("HEAD")) {
            ex.header("Allow", "GET, HEAD");
            ex.error(405, "use GET or HEAD");
            return;
        }
        String[] parts = ex.request().path().substring(prefix.length()).split("/", -1);
        if (parts.length != 3) {
            ex.error(404, "segments are at " + prefix + "{id}/{video|audio}/{init|index}");
            return;
        }
        Optional<VideoEntry> entry = catalog.find(parts[0]);
        if (entry.isEmpty()) {
            ex.error(404, "no video with id '" + (parts[0].length() > 100 ? parts[0].substring(0, 100) : parts[0]) + "'");
            return;
        }
        TrackKind kind = switch (parts[1]) {
            case "video" -> TrackKind.VIDEO;
            case "audio" -> TrackKind.AUDIO;
            default -> null;
        };
        if (kind == null) {
            ex.error(404, "the track is 'video' or 'audio'");
            return;
        }
        int index = parts[2].equals("init") ? SegmentKey.INIT
                : INDEX.matcher(parts[2]).matches() ? Integer.parseInt(parts[2]) : Integer.MIN_VALUE;
        if (index < SegmentKey.INIT) {
            ex.error(404, "the segment is 'init' or an index from 0");
            return;
        }
        FileIdentity identity;
        Fmp4Remuxer remuxer;
        // Not a plain open: the catalog's listing may be a second old, and the path may now be a FIFO (an open that
        // blocks for good) or a link loop (MediaFiles).
        try (FileChannel ch = MediaFiles.openForReading(entry.get().file())) {
            identity = FileIdentity.of(entry.get().file(), ch);
            remuxer = remuxer(identity);
        } catch (FileSystemException e) {
            // Not an IOException for the connection to take for a client gone: this client waits for an answer.
            ex.error(404, "video '" + entry.get().id() + "' " + MediaFiles.whyUnavailable(e));
            return;
        } catch (Mp4FormatException | dev.streamlab.stream.fmp4.RemuxException e) {
            ex.error(422, "'" + entry.get().id() + "' cannot be remuxed: " + e.getMessage());
            return;
        }
        Optional<Fmp4Track> track = kind == TrackKind.VIDEO ? remuxer.video() : remuxer.audio();
        if (track.isEmpty()) {
            ex.error(404, "'" + entry.get().id() + "' has no " + parts[1] + " track");
            return;
        }
        Fmp4Track t = track.get();
        if (index >= t.segmentCount()) {
            ex.error(404, "'" + entry.get().id() + "' has " + t.segmentCount() + " " + parts[1] + " segments");
            return;
        }
        ByteBuffer[] body;
        if (segments != null) {
            body = new ByteBuffer[] {index == SegmentKey.INIT ? segments.init(identity, remuxer, t)
                    : segments.segment(identity, remuxer, t, index)};
        } else {
            body = index == SegmentKey.INIT ? t.init().buffers() : t.segment(index).buffers();
        }
        long length = 0;
        for (ByteBuffer b : body) length += b.remaining();
        ex.header("Content-Type", index == SegmentKey.INIT ? t.mimeType() : "video/iso.segment");
        ex.header("Cache-Control", "no-cache");
        ex.sendHeaders(200, length);
        if (ex.head()) return;
        long before = ex.bodyBytes();
        try {
            ex.write(body);
        } finally {
            if (segments != null) segments.sent(ex.bodyBytes() - before);
        }
    }

    /** The remuxer of this version of the file, opened once (outside the lock: it parses and maps). */
    private Fmp4Remuxer remuxer(FileIdentity identity) throws IOException {
        lock.lock();
        try {
            Fmp4Remuxer r = remuxers.get(identity);
            if (r != null) return r;
        } finally {
            lock.unlock();
        }
        Fmp4Remuxer opened = Fmp4Remuxer.open(identity.file());
        lock.lock();
        try {
            Fmp4Remuxer raced = remuxers.putIfAbsent(identity, opened);
            return raced != null ? raced : opened;
        } finally {
            lock.unlock();
        }
    }
}
