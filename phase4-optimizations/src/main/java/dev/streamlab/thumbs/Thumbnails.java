package dev.streamlab.thumbs;

import dev.streamlab.mjpeg.JpegEncoder;
import dev.streamlab.mjpeg.YuvToRgb;
import dev.streamlab.pixels.Filter;
import dev.streamlab.pixels.PixelOps;
import dev.streamlab.pixels.YuvImage;
import dev.streamlab.shared.json.Json;
import dev.streamlab.y4m.Frame;
import dev.streamlab.y4m.Y4mFormatException;
import dev.streamlab.y4m.Y4mReader;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Seek-bar previews and a catalog poster made from frames the project decodes itself: the .y4m proxies. A tile is
 * the proxy frame at the tile's start time, halved with the {@link Filter#DOWNSCALE} pixel op (in place in a reused
 * work buffer) and painted into the sprite.
 *
 * <p>Cached on disk: one folder per proxy, and a proxy's name carries its MP4's size and modification time, so an
 * edited video gets new thumbnails and an unchanged one is never redone. A folder is built under a temporary name
 * and renamed into place, so a reader never sees half a sheet.
 */
public final class Thumbnails {
    /** Seconds between tiles for short videos; longer videos get fewer, wider-spaced tiles. */
    static final double INTERVAL = 2.0;
    static final int MAX_TILES = 100;
    static final int COLUMNS = 5;

    private final Path cacheDir;
    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();

    public Thumbnails(Path cacheDir) {
        this.cacheDir = cacheDir;
    }

    /** {@code thumbs} beside the proxies' folder. */
    public static Thumbnails besides(Path proxiesDir) {
        return new Thumbnails(proxiesDir.resolveSibling("thumbs"));
    }

    /**
     * The sprite sheet of the video whose proxy is {@code y4m}, made now unless cached.
     *
     * @throws Y4mFormatException when the proxy cannot be read
     */
    public SpriteSheet sheet(Path y4m) throws IOException, Y4mFormatException {
        String key = y4m.getFileName().toString().replaceFirst("\\.y4m$", "");
        Path dir = cacheDir.resolve(key);
        ReentrantLock lock = locks.computeIfAbsent(key, k -> new ReentrantLock());
        lock.lock();
        try (Y4mReader reader = Y4mReader.open(y4m)) {
            SpriteSheet s = layout(dir, reader);
            if (complete(dir)) return s;
            // A sheet with a file deleted or replaced (by a FIFO, say) is made again, not served in part for good.
            deleteTree(dir);
            Files.createDirectories(cacheDir);
            Path tmp = Files.createTempDirectory(cacheDir, key + ".part");
            try {
                write(tmp, reader, s);
                try {
                    Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
                } catch (FileAlreadyExistsException | DirectoryNotEmptyException | AtomicMoveNotSupportedException e) {
                    // another process made it first: theirs is as good as ours
                }
            } finally {
                deleteTree(tmp);
            }
            return s;
        } finally {
            lock.unlock();
        }
    }

    private static boolean complete(Path dir) {
        for (String name : List.of(SpriteSheet.SPRITE, SpriteSheet.VTT, SpriteSheet.INDEX, SpriteSheet.POSTER)) {
            if (!Files.isRegularFile(dir.resolve(name), LinkOption.NOFOLLOW_LINKS)) return false;
        }
        return true;
    }

    static SpriteSheet layout(Path dir, Y4mReader reader) {
        double duration = reader.durationSeconds();
        double interval = Math.max(INTERVAL, duration / MAX_TILES);
        int tiles = Math.max(1, (int) Math.ceil(duration / interval - 1e-9));
        int tw = Math.max(1, reader.header().width() / 2), th = Math.max(1, reader.header().height() / 2);
        return new SpriteSheet(dir, tiles, interval, duration, tw, th, Math.min(COLUMNS, tiles));
    }

    private static void write(Path dir, Y4mReader reader, SpriteSheet s) throws IOException {
        int rows = (s.tiles() + s.columns() - 1) / s.columns();
        BufferedImage sprite = new BufferedImage(s.columns() * s.tileWidth(), rows * s.tileHeight(),
                BufferedImage.TYPE_3BYTE_BGR);
        ByteBuffer work = ByteBuffer.allocate(reader.header().frameBytes());
        PixelOps ops = PixelOps.Variant.best().create();
        List<Object> cues = new ArrayList<>();
        StringBuilder vtt = new StringBuilder("WEBVTT\n\n");
        for (int i = 0; i < s.tiles(); i++) {
            double start = i * s.interval(), end = Math.min(s.duration(), (i + 1) * s.interval());
            Frame f = reader.frameAt(start);
            YuvImage tile = ops.apply(Filter.DOWNSCALE, f.image().copyInto(work));
            int x = (i % s.columns()) * s.tileWidth(), y = (i / s.columns()) * s.tileHeight();
            YuvToRgb.paint(tile, sprite, x, y);
            String xywh = x + "," + y + "," + s.tileWidth() + "," + s.tileHeight();
            vtt.append(timestamp(start)).append(" --> ").append(timestamp(end)).append('\n')
                    .append(SpriteSheet.SPRITE).append("#xywh=").append(xywh).append("\n\n");
            Map<String, Object> cue = new LinkedHashMap<>();
            cue.put("start", round(start));
            cue.put("end", round(end));
            cue.put("x", x);
            cue.put("y", y);
            cues.add(cue);
        }
        try (JpegEncoder jpeg = new JpegEncoder()) {
            writeBuffer(dir.resolve(SpriteSheet.SPRITE), jpeg.encode(sprite));
            BufferedImage poster = new BufferedImage(reader.header().width(), reader.header().height(),
                    BufferedImage.TYPE_3BYTE_BGR);
            YuvToRgb.paint(reader.frameAt(s.duration() / 3).image(), poster, 0, 0);
            writeBuffer(dir.resolve(SpriteSheet.POSTER), jpeg.encode(poster));
        }
        Files.writeString(dir.resolve(SpriteSheet.VTT), vtt, StandardCharsets.UTF_8);
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("duration", round(s.duration()));
        index.put("interval", round(s.interval()));
        index.put("sprite", SpriteSheet.SPRITE);
        index.put("tileWidth", s.tileWidth());
        index.put("tileHeight", s.tileHeight());
        index.put("columns", s.columns());
        index.put("tiles", cues);
        Files.writeString(dir.resolve(SpriteSheet.INDEX), Json.pretty(index), StandardCharsets.UTF_8);
    }

    private static void writeBuffer(Path file, ByteBuffer bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            while (bytes.hasRemaining()) ch.write(bytes);
        }
    }

    /** WebVTT cue timestamp {@code hh:mm:ss.ttt} (WebVTT §4.2: hours may exceed two digits). */
    static String timestamp(double seconds) {
        long ms = Math.round(seconds * 1000);
        return String.format(Locale.ROOT, "%02d:%02d:%02d.%03d", ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60,
                ms % 1000);
    }

    private static double round(double s) {
        return Math.round(s * 1000) / 1000.0;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
