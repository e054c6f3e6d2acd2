package dev.streamlab.shared.io;

import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileVisitResult;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Opening a video that a listing named a moment ago. Servers answer from a catalog up to a second old, so the path
 * may since have become something else: a FIFO, whose {@code open(2)} for reading blocks until a writer comes (a
 * request thread hung for good, and a server's shutdown with it); a device that never ends; a symbolic-link loop,
 * whose open fails with {@code ELOOP}. Every route that opens a catalog video on a request goes through here, so
 * that each of them refuses the same things and says so the same way.
 *
 * <p>What is left: a path swapped for a FIFO between the stat and the open still blocks the open. Java cannot open
 * with {@code O_NONBLOCK}; the window is the two system calls' gap, where it was the catalog's whole second.
 */
public final class MediaFiles {
    /** The path names something other than a regular file (a FIFO, a device, a folder). */
    public static final class NotRegularFileException extends FileSystemException {
        public NotRegularFileException(Path file) {
            super(file.toString(), null, "not a regular file");
        }
    }

    private MediaFiles() {}

    /**
     * A media folder's listing: the files {@link #list} kept, sorted, and the subfolders it could not list with why.
     */
    public record Listing(List<Path> files, Map<Path, IOException> unlisted) {}

    /**
     * The files under {@code root} (at most {@code maxDepth} levels) that {@code wanted} keeps. A subfolder that
     * cannot be listed (no permission, a path past PATH_MAX, removed meanwhile) is reported in
     * {@link Listing#unlisted()} and hides nothing else: {@code Files.walk} threw for it, so one such folder emptied
     * a whole catalog.
     *
     * @throws IOException when {@code root} itself cannot be listed (removed, renamed, unreadable)
     */
    public static Listing list(Path root, int maxDepth, Predicate<Path> wanted) throws IOException {
        List<Path> files = new ArrayList<>();
        Map<Path, IOException> unlisted = new TreeMap<>();
        Files.walkFileTree(root, Set.of(), maxDepth, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path p, BasicFileAttributes attrs) {
                if (wanted.test(p)) files.add(p);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path p, IOException e) throws IOException {
                if (p.equals(root)) throw e;
                unlisted.put(p, e);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null && dir.equals(root)) throw e;
                if (e != null) unlisted.put(dir, e);
                return FileVisitResult.CONTINUE;
            }
        });
        files.sort(null);
        return new Listing(List.copyOf(files), unlisted);
    }

    /**
     * Opens {@code file} for reading after a stat of its own.
     *
     * @throws NotRegularFileException when it is no longer a regular file
     * @throws FileSystemException     when it is gone ({@link NoSuchFileException}), unreadable, or a link loop
     */
    public static FileChannel openForReading(Path file) throws IOException {
        return openForReading(file, Files.readAttributes(file, BasicFileAttributes.class));
    }

    /**
     * Opens {@code file} for reading, {@code now} being a fresh stat of it that the caller made anyway (phase 3 makes
     * one per request to validate its kept channel): the check costs no system call of its own.
     *
     * @throws NotRegularFileException when {@code now} is not a regular file's
     */
    public static FileChannel openForReading(Path file, BasicFileAttributes now) throws IOException {
        if (!now.isRegularFile()) throw new NotRegularFileException(file);
        return FileChannel.open(file, StandardOpenOption.READ);
    }

    /**
     * The whole of a small file a server reads per request (a page, a sprite sheet), with {@link #openForReading}'s
     * check: a file listed a moment ago may be gone, or a FIFO whose open would wait for a writer.
     *
     * @throws NotRegularFileException when it is no longer a regular file
     * @throws FileSystemException     when it is gone ({@link NoSuchFileException}), unreadable, or a link loop
     */
    public static byte[] readAll(Path file) throws IOException {
        try (FileChannel ch = openForReading(file)) {
            return Channels.newInputStream(ch).readAllBytes();
        }
    }

    /**
     * Whether {@code e} is about {@code file} itself, not about another file the same work touched (a cache folder,
     * a temporary file): only then is it the video that is unavailable.
     */
    public static boolean isAbout(FileSystemException e, Path file) {
        return file.toString().equals(e.getFile());
    }

    /**
     * Why a listed video could not be opened, to follow "video 'id'" in a 404. Never the server's path: a
     * {@link FileSystemException}'s message carries it, its reason does not.
     */
    public static String whyUnavailable(FileSystemException e) {
        return switch (e) {
            case NoSuchFileException gone -> "was removed";
            case NotRegularFileException other -> "is no longer a regular file";
            case AccessDeniedException denied -> "cannot be opened: permission denied";
            default -> "cannot be opened: " + Objects.requireNonNullElse(e.getReason(), "file system error");
        };
    }
}
