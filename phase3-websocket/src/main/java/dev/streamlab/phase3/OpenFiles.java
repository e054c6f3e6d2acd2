package dev.streamlab.phase3;

import dev.streamlab.http.range.Validators;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The video files' channels, kept open across requests: what nginx's {@code open_file_cache} does, but checked on
 * every request.
 *
 * <p><b>Why.</b> Opening the file per request cost three system calls ({@code openat}, {@code statx}, {@code close})
 * and a {@code FileChannel} with its cleaner registration, on a path whose body costs one {@code sendfile}; counted
 * with {@code strace -c -f} over 2,000 keep-alive range requests. Now a request makes one {@code statx} of the path
 * (which it needs anyway for fresh validators) and reuses the channel: {@code transferTo} reads at an absolute
 * position, so one channel serves any number of responses at once.
 *
 * <p><b>Never stale.</b> The path is stat'ed on every request, and the kept channel is used only while size, mtime
 * and file identity ({@link BasicFileAttributes#fileKey()}: device and inode) are what they were when it was opened.
 * A file replaced (a new inode, as {@code mv} or an editor's save-as leaves it) or rewritten (a new mtime) is opened
 * afresh, so the validators always describe the bytes that are sent. A response already sending from the old
 * channel finishes from it — the old bytes, which its validators described — and the old descriptor is closed by
 * the channel's cleaner once no response holds it. Deleted files answer 404 and leave the table.
 *
 * <p>One entry per catalog file that has been requested, so the descriptors held are bounded by the catalog's size.
 * Phase 4's {@code /cached/videos} reads its cache misses through the same table ({@link Phase3Server#openFiles()}).
 */
public final class OpenFiles implements AutoCloseable {
    /**
     * An open file and what it was when opened: size, mtime and identity decide whether it still stands. The channel
     * is shared by every request: read it at absolute positions only, and never close it.
     */
    public record Open(FileChannel channel, long size, FileTime mtime, Object fileKey, Validators validators) {
        boolean describes(BasicFileAttributes now) {
            return size == now.size() && mtime.equals(now.lastModifiedTime()) && Objects.equals(fileKey, now.fileKey());
        }
    }

    private final ConcurrentHashMap<Path, Open> open = new ConcurrentHashMap<>();
    private final LongAdder opens = new LongAdder();

    /**
     * The file as it is now, from the table when it has not changed since it was opened.
     *
     * @throws NoSuchFileException when the file is gone (its entry leaves the table)
     */
    public Open get(Path file) throws IOException {
        BasicFileAttributes now;
        try {
            now = Files.readAttributes(file, BasicFileAttributes.class); // one statx(2)
        } catch (NoSuchFileException e) {
            open.remove(file); // the old channel is closed by its cleaner once no response holds it
            throw e;
        }
        Open o = open.get(file);
        if (o != null && o.describes(now)) return o;
        // First request, or the file changed: open it again. Racing requests may each open it; the last one in the
        // table wins and the others' channels are closed by their cleaners when those responses end.
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        opens.increment();
        Open fresh = new Open(ch, now.size(), now.lastModifiedTime(), now.fileKey(),
                Validators.forFile(now.size(), now.lastModifiedTime()));
        open.put(file, fresh);
        return fresh;
    }

    /** How many times a file was opened (once per file, plus once per change, when the table works). */
    long opens() {
        return opens.sum();
    }

    /** Files held open now. */
    int size() {
        return open.size();
    }

    /** Closes every kept channel (the server is stopping). */
    @Override
    public void close() {
        for (Open o : open.values()) {
            try {
                o.channel().close();
            } catch (IOException ignored) {
                // a read-only channel's close cannot lose data
            }
        }
        open.clear();
    }
}
