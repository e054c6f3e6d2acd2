package dev.streamlab.testing;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import jdk.jshell.JShell;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;

/**
 * Runs a jshell notebook the way {@code ./lab notebook N} does (the project's classes on the class path), through
 * the JDK's own {@code jdk.jshell} API, and fails if any snippet is rejected or throws.
 */
public final class Notebooks {
    /** jshell's DEFAULT startup imports, so a notebook behaves here as it does in the jshell command. */
    private static final List<String> DEFAULT_IMPORTS = List.of("java.io.*", "java.math.*", "java.net.*",
            "java.nio.file.*", "java.util.*", "java.util.concurrent.*", "java.util.function.*", "java.util.prefs.*",
            "java.util.regex.*", "java.util.stream.*");

    private Notebooks() {}

    /** The notebooks whose file names match {@code regex} (e.g. {@code 0[12]-.*\\.jsh}), sorted. */
    public static List<Path> matching(String regex) throws IOException {
        Path dir = ExternalTools.root().resolve("notebooks");
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> all = s.filter(p -> p.getFileName().toString().matches(regex)).sorted().toList();
            assertFalse(all.isEmpty(), "no notebooks matching " + regex + " in " + dir);
            return all;
        }
    }

    /** The {@code target/classes} folders of these modules, as a class path. */
    public static String classpath(String... modules) {
        return Stream.of(modules).map(m -> ExternalTools.root().resolve(m).resolve("target/classes").toString())
                .collect(Collectors.joining(File.pathSeparator));
    }

    /**
     * How long one snippet may run. The slowest take a few seconds (notebook 05's ffmpeg decode); a snippet that
     * blocks for ever (a socket nobody reads, a lost wake-up) would otherwise hang the whole build, since jshell
     * waits on its remote VM without a bound.
     */
    static final Duration SNIPPET_LIMIT = Duration.ofMinutes(2);

    /** Evaluates every snippet of {@code notebook}; returns what it printed. */
    public static String run(Path notebook, String classpath) throws IOException {
        return run(notebook, classpath, SNIPPET_LIMIT);
    }

    /**
     * As {@link #run(Path, String)}, failing when a snippet runs longer than {@code limit}: the shell, and with it the
     * remote VM running the snippet, is closed, so nothing is left behind.
     */
    static String run(Path notebook, String classpath, Duration limit) throws IOException {
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8);
        try (JShell shell = JShell.builder().out(out).err(out)
                .remoteVMOptions("-Dstreamlab.media=" + ExternalTools.media().toAbsolutePath(),
                        "-Dstreamlab.frontend=" + ExternalTools.root().resolve("frontend")).build()) {
            shell.addToClasspath(classpath);
            for (String imp : DEFAULT_IMPORTS) shell.eval("import " + imp + ";");
            SourceCodeAnalysis analysis = shell.sourceCodeAnalysis();
            String remaining = Files.readString(notebook);
            int n = 0;
            while (!remaining.isBlank()) {
                SourceCodeAnalysis.CompletionInfo info = analysis.analyzeCompletion(remaining);
                if (info.completeness() == SourceCodeAnalysis.Completeness.EMPTY) break;
                String source = info.source();
                if (source == null) fail(notebook.getFileName() + ": incomplete snippet at end:\n" + remaining);
                remaining = info.remaining();
                if (source.stripLeading().matches("(?s)/[a-zA-Z!?-].*")) { // a /command, not // or /*
                    fail(notebook.getFileName() + ": notebooks hold Java snippets only, not jshell commands: " + source);
                }
                n++;
                String name = notebook.getFileName() + " snippet " + n;
                Supplier<String> context = () -> ":\n" + source.strip() + "\n--- output so far ---\n"
                        + output.toString(StandardCharsets.UTF_8);
                List<SnippetEvent> events = evalWithin(shell, source, limit,
                        () -> name + " ran longer than " + limit.toSeconds() + " s and was stopped" + context.get());
                for (SnippetEvent e : events) {
                    String where = name + context.get();
                    if (e.status() == Snippet.Status.REJECTED) {
                        StringBuilder diags = new StringBuilder();
                        shell.diagnostics(e.snippet()).forEach(d -> diags.append(d.getMessage(null)).append('\n'));
                        fail(where + "\nrejected: " + diags);
                    }
                    assertNull(e.exception(), () -> where + "\nthrew: " + e.exception());
                }
            }
            assertFalse(n == 0, notebook + " has no snippets");
        }
        return output.toString(StandardCharsets.UTF_8);
    }

    /**
     * {@code shell.eval(source)}, waited for at most {@code limit}. Past it, the shell is closed, which kills the remote
     * VM running the snippet and so ends the eval too, and the test fails with {@code failure}'s message.
     */
    private static List<SnippetEvent> evalWithin(JShell shell, String source, Duration limit,
            Supplier<String> failure) throws IOException {
        FutureTask<List<SnippetEvent>> eval = new FutureTask<>(() -> shell.eval(source));
        Thread.ofVirtual().start(eval);
        try {
            return eval.get(limit.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            shell.close();
            return fail(failure.get());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;
            throw new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running a snippet", e);
        }
    }
}
