package dev.streamlab.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A media folder with a subfolder this process cannot list, whoever runs the tests.
 *
 * <p>{@code chmod 000} stops an ordinary user but not root ({@code CAP_DAC_READ_SEARCH}), and CI runs as root. So
 * the subfolder is unlistable the other way a listing fails: the media folder's path is just under Linux's
 * {@code PATH_MAX} (4096 bytes), the subfolder's name takes it past, and opening it fails with
 * {@code ENAMETOOLONG} for everyone. It is made and removed by {@code mkdir}/{@code rmdir} run inside the media
 * folder (a relative name has no such limit); {@link #close} removes it so that {@code @TempDir} can clean up.
 *
 * @param media the media folder: files put in it directly have paths short enough to open
 * @param name  the unlistable subfolder's name
 */
public record UnlistableFolder(Path media, String name) implements AutoCloseable {
    private static final int PATH_MAX = 4096;

    /** Makes the media folder (nested folders under {@code tmp}) and its unlistable subfolder. */
    public static UnlistableFolder under(Path tmp) throws IOException, InterruptedException {
        Path media = tmp.toAbsolutePath();
        while (media.toString().length() < PATH_MAX - 300) media = media.resolve("d".repeat(200));
        Files.createDirectories(media);
        String name = "x".repeat(250);
        run(media, "mkdir", name);
        return new UnlistableFolder(media, name);
    }

    @Override
    public void close() throws IOException {
        try {
            run(media, "rmdir", name);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted removing " + name, e);
        }
    }

    private static void run(Path dir, String... command) throws IOException, InterruptedException {
        int status = new ProcessBuilder(command).directory(dir.toFile()).inheritIO().start().waitFor();
        if (status != 0) throw new IOException(String.join(" ", command).substring(0, 20) + "… failed: " + status);
    }
}
