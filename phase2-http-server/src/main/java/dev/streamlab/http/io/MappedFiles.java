package dev.streamlab.http.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Memory mappings shared by every request, one per file version.
 *
 * <p>Mapping per request would cost an {@code mmap(2)} each time, and the JDK only unmaps when the buffer is
 * garbage collected — under load, thousands of live mappings. So a file is mapped once, in windows of at most
 * 1 GiB (a {@code MappedByteBuffer} is int-indexed), and requests take {@code slice()}s: views, no copies.
 * A file whose size or modification time changed gets a new mapping, and so does a file replaced by another
 * (renamed over it): a mapping holds the old inode's pages, and {@code cp -p}, {@code rsync -t} or
 * {@code touch -r} give the new file the same size and time. At most {@code capacity} files are kept.
 */
public final class MappedFiles {
    static final long WINDOW = 1L << 30;

    private record Key(Path path, Object fileKey, long size, long lastModified) {}

    private final Map<Key, MappedByteBuffer[]> cache;

    public MappedFiles(int capacity) {
        this.cache = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, MappedByteBuffer[]> eldest) {
                return size() > capacity;
            }
        };
    }

    /**
     * A read-only view of up to {@code length} bytes at {@code position}; shorter when the region crosses a window
     * boundary (the caller loops).
     */
    public ByteBuffer view(OpenFile file, long position, int length) throws IOException {
        MappedByteBuffer[] windows = windows(file);
        int w = (int) (position / WINDOW);
        int off = (int) (position % WINDOW);
        MappedByteBuffer window = windows[w];
        int n = Math.min(length, window.capacity() - off);
        return window.slice(off, n);
    }

    private MappedByteBuffer[] windows(OpenFile file) throws IOException {
        Key key = new Key(file.path(), file.fileKey(), file.size(), file.lastModified());
        synchronized (cache) {
            MappedByteBuffer[] w = cache.get(key);
            if (w != null) return w;
        }
        int count = (int) ((file.size() + WINDOW - 1) / WINDOW);
        MappedByteBuffer[] w = new MappedByteBuffer[Math.max(count, 1)];
        for (int i = 0; i < w.length; i++) {
            long start = i * WINDOW;
            w[i] = file.channel().map(FileChannel.MapMode.READ_ONLY, start, Math.min(WINDOW, file.size() - start));
        }
        synchronized (cache) {
            cache.putIfAbsent(key, w);
            return cache.get(key);
        }
    }
}
