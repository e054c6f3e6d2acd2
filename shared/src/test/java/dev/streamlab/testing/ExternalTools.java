package dev.streamlab.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Finds the real programs the tests use as oracles (ffprobe, ffmpeg; later chromium).
 *
 * <p>A developer without them sees the test skipped with the command that installs them. Under {@code CI=true}
 * a missing tool fails the test instead: CI installs them ({@code .ci/run}), so a skip there would hide a broken
 * install step.
 */
public final class ExternalTools {
    private ExternalTools() {}

    public static Path ffprobe() {
        return require("ffprobe", "apt-get install ffmpeg (./lab test does it for you when run as root)");
    }

    public static Path ffmpeg() {
        return require("ffmpeg", "apt-get install ffmpeg (./lab test does it for you when run as root)");
    }

    /** The bundled samples folder ({@code media/} at the repository root). */
    public static Path media() {
        String prop = System.getProperty("streamlab.media");
        Path dir = prop != null ? Path.of(prop) : Path.of("../media");
        if (!Files.isDirectory(dir)) fail("bundled samples not found at " + dir.toAbsolutePath());
        return dir;
    }

    /** The repository root. */
    public static Path root() {
        String prop = System.getProperty("streamlab.root");
        return prop != null ? Path.of(prop) : Path.of("..").toAbsolutePath().normalize();
    }

    public static Path require(String program, String howToInstall) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, program);
            if (Files.isExecutable(p)) return p;
        }
        requireThat(false, program + " is not installed; " + howToInstall);
        throw new AssertionError("unreachable");
    }

    /**
     * What a test needs from the machine: unless {@code met}, the test is skipped saying {@code whatIsMissing}, or,
     * with {@code CI=true} (where the build installs what tests need), it fails.
     */
    public static void requireThat(boolean met, String whatIsMissing) {
        if (met) return;
        if ("true".equalsIgnoreCase(System.getenv("CI"))) fail("CI=true and " + whatIsMissing);
        Assumptions.abort(whatIsMissing);
    }

    /** Runs a program to completion (bounded by {@code timeoutSeconds}) and returns its stdout; fails on non-zero exit. */
    public static String run(int timeoutSeconds, String... command) throws IOException, InterruptedException {
        Exit e = exec(timeoutSeconds, List.of(command));
        if (e.status() != 0) fail(String.join(" ", command) + " exited " + e.status() + ": " + e.err());
        return e.out();
    }

    /** How a program ended: its exit status and what it printed. */
    public record Exit(int status, String out, String err) {}

    /** Runs a program to completion, whatever its exit status; fails the test if it has not ended in time. */
    public static Exit exec(int timeoutSeconds, List<String> command) throws IOException, InterruptedException {
        // Both streams go to files so a hung program cannot block us on a full pipe; the timeout always applies.
        Path out = Files.createTempFile("streamlab-tool", ".out");
        Path err = Files.createTempFile("streamlab-tool", ".err");
        try {
            Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail(String.join(" ", command) + " did not finish in " + timeoutSeconds + " s");
            }
            return new Exit(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /**
     * Runs a main class in a JVM of its own on the test's class path, with the bundled samples and frontend, as
     * {@code ./lab run} would: what it prints and its exit status, which an in-process test cannot see past
     * {@code System.exit}.
     */
    public static Exit javaMain(Class<?> main, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                "-Dstreamlab.media=" + media().toAbsolutePath(),
                "-Dstreamlab.frontend=" + root().resolve("frontend"),
                main.getName()));
        cmd.addAll(List.of(args));
        return exec(60, cmd);
    }

    /** Every {@code .mp4} under the bundled samples folder, sorted. */
    public static List<Path> bundledSamples() throws IOException {
        List<Path> out = new ArrayList<>();
        try (var s = Files.walk(media())) {
            s.filter(p -> p.toString().endsWith(".mp4")).sorted().forEach(out::add);
        }
        if (out.isEmpty()) fail("no .mp4 in " + media());
        return out;
    }
}
