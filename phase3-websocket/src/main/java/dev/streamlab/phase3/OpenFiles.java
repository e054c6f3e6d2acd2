package dev.streamlab.phase3;

import dev.streamlab.http.range.Validators;
import dev.streamlab.shared.io.FileStamp;
import dev.streamlab.shared.io.MediaFiles;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Level;
import java.util.logging.Logger;

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
 * afresh, so the validators always describe the bytes that are sent. Deleted files answer 404 and leave the table.
 *
 * <p><b>Never leaked.</b> {@link #get} hands out a hold on the entry, which the response closes when it is done
 * ({@code try (open) { ... }}); the table keeps a hold of its own until the entry is replaced or removed. The
 * descriptor is closed when the last hold goes, so a response still sending from an old channel finishes from it —
 * the old bytes, which its validators described — and the old descriptor is closed as that response ends. (Leaving
 * it to the channel's cleaner, as this class once did, kept one descriptor per change of a file until the next full
 * GC: 500 rewrites of one video left 500 descriptors open. {@code OpenFilesTest} checks each one is closed.)
 *
 * <p><b>Never dead.</b> A kept channel that is no longer open is stale too, and is opened afresh like a changed file.
 * A {@code FileChannel} is an {@code InterruptibleChannel}: when a thread is interrupted while it reads or
 * {@code transferTo}s from one (or has its interrupt status set when it starts to), the JDK closes the channel
 * ({@code ClosedByInterruptException}) — for every thread that shares it, not only the interrupted one. Nothing in
 * phases 3 and 4 interrupts a thread that reads through this table (connection threads are never interrupted; the
 * threads that are, live viewers' and processed streams' senders, read no file from here), but an embedding
 * application, a test or a future change might; before this check, one interrupt would have failed every later
 * request for that video (each response cut off after its head, logged as a routine closed socket) until the file
 * changed on disk or the server restarted. The responses sending from the channel when it closes still fail — the
 * bytes they promised cannot come from a closed descriptor — and their connections close
 * ({@code Http1Connection} logs them as a channel closed under the response, not as a socket closed by the
 * watchdog); the next request opens the file again. {@link FileChannel#isOpen()} is a volatile read, so the check
 * costs nothing next to the {@code statx}.
 *
 * <p>One entry per catalog file that has been requested, so the descriptors held are bounded by the catalog's size
 * plus the responses in flight. Phase 4's {@code /cached/videos} reads its cache misses through the same table
 * ({@link Phase3Server#openFiles()}).
 */
public final class OpenFiles implements AutoCloseable {
    /**
     * An open file and what it was when opened: size, mtime and identity decide whether it still stands. The channel
     * is shared by every request: read it at absolute positions only, never close the channel itself, and close this
     * (the hold {@link #get} gave) when the response is done.
     */
    public static final class Open implements AutoCloseable {
        private final FileChannel channel;
        private final FileStamp stamp;
        private final Validators validators;
        /** Holds: the table's (until replaced or removed) and one per {@link #get} not yet closed. 0 = closed. */
        private final AtomicInteger holds = new AtomicInteger(1);

        private Open(FileChannel channel, BasicFileAttributes attributes) {
            this.channel = channel;
            this.stamp = FileStamp.of(attributes);
            this.validators = Validators.forFile(stamp.size(), stamp.mtime());
        }

        public FileChannel channel() {
            return channel;
        }

        public long size() {
            return stamp.size();
        }

        public FileTime mtime() {
            return stamp.mtime();
        }

        public Validators validators() {
            return validators;
        }

        /** Device and inode ({@link BasicFileAttributes#fileKey()}), or null where the file system has none. */
        public Object fileKey() {
            return stamp.fileKey();
        }

        /**
         * Whether this entry still stands for the file as it is {@code now}: the same size, mtime and identity, and
         * the channel still open (an interrupt of any thread reading it closes it for all: class comment).
         */
        boolean describes(BasicFileAttributes now) {
            return stamp.matches(now) && channel.isOpen();
        }

        /** Takes a hold unless the last one is already gone (the entry was replaced and its channel closed). */
        private boolean hold() {
            for (int n = holds.get(); n > 0; n = holds.get()) {
                if (holds.compareAndSet(n, n + 1)) return true;
            }
            return false;
        }

        /** Gives back the hold {@link OpenFiles#get} gave; the last one closes the channel. */
        @Override
        public void close() {
            if (holds.decrementAndGet() != 0) return;
            try {
                channel.close();
            } catch (IOException ignored) {
                // a read-only channel's close cannot lose data
            }
        }
    }

    private static final Logger LOG = Logger.getLogger(OpenFiles.class.getName());

    private final ConcurrentHashMap<Path, Open> open = new ConcurrentHashMap<>();
    private final LongAdder opens = new LongAdder();

    /**
     * The file as it is now, from the table when it has not changed since it was opened. Close what it returns when
     * the response is done.
     *
     * @throws NoSuchFileException when the file is gone (its entry leaves the table)
     * @throws FileSystemException when it can no longer be opened: not a regular file any more
     *                             ({@link MediaFiles.NotRegularFileException}: a FIFO, whose open would block for
     *                             good), a link loop, no permission (its entry leaves the table too)
     */
    public Open get(Path file) throws IOException {
        while (true) {
            BasicFileAttributes now;
            try {
                now = Files.readAttributes(file, BasicFileAttributes.class); // one statx(2)
            } catch (FileSystemException e) { // gone, or a link loop since the listing
                forget(file);
                throw e;
            }
            Open o = open.get(file);
            if (o != null && o.describes(now)) {
                if (o.hold()) return o;
                continue; // replaced and closed between the lookup and the hold: look again
            }
            if (o != null && !o.channel.isOpen() && o.holds.get() > 0) {
                // Not a change on disk: someone closed the channel under the table, an interrupt most likely.
                LOG.log(Level.WARNING, () -> "the kept channel of " + file + " was closed under the table (a thread"
                        + " reading it was interrupted?): opening the file again");
            }
            // First request, the file changed, or its kept channel was closed (an interrupt): open it again. Racing
            // requests may each open it; each entry that leaves the table gives back the table's hold, and the
            // racers' own holds close the rest.
            FileChannel channel;
            try {
                // The stat above says whether it is still a regular file: no system call of its own, and only here,
                // where the file is (re)opened, not per request.
                channel = MediaFiles.openForReading(file, now);
            } catch (FileSystemException e) {
                forget(file); // what the table kept is no longer the file at this name
                throw e;
            }
            Open fresh = new Open(channel, now);
            opens.increment();
            fresh.hold();
            Open replaced = open.put(file, fresh);
            if (replaced != null) replaced.close();
            return fresh;
        }
    }

    /** Drops {@code file}'s entry: the table's hold goes, and responses still sending from it keep theirs. */
    private void forget(Path file) {
        Open gone = open.remove(file);
        if (gone != null) gone.close();
    }

    /** How many times a file was opened (once per file, plus once per change, when the table works). */
    long opens() {
        return opens.sum();
    }

    /** Files held open now. */
    int size() {
        return open.size();
    }

    /** Gives back the table's holds (the server is stopping): each channel closes when its last response ends. */
    @Override
    public void close() {
        for (Path file : open.keySet()) {
            Open o = open.remove(file);
            if (o != null) o.close();
        }
    }
}
