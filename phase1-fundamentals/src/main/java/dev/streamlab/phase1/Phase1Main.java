package dev.streamlab.phase1;

import dev.streamlab.shared.cli.LaunchOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/** {@code ./lab run phase1}: serves a page showing what the MP4 parser finds in every bundled sample. */
public final class Phase1Main {
    static final String USAGE = ("usage: ./lab run phase1 " + LaunchOptions.USAGE + "\n" + LaunchOptions.OPTIONS)
            .stripTrailing();

    private Phase1Main() {}

    public static void main(String[] args) throws InterruptedException {
        if (LaunchOptions.wantsHelp(args)) {
            System.out.println(USAGE);
            return;
        }
        Phase1Server server = start(System.out, System.err, args);
        if (server == null) System.exit(1);
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        new CountDownLatch(1).await(); // serve until Ctrl-C
    }

    /** Starts the server and prints its URL; returns null after printing why it could not start. */
    static Phase1Server start(PrintStream out, PrintStream err, String... args) {
        try {
            LaunchOptions opt = LaunchOptions.parse(List.of(args), LaunchOptions.bundledMedia());
            if (!opt.rest().isEmpty()) throw new IllegalArgumentException("unknown arguments " + opt.rest() + "\n" + USAGE);
            Path frontend = Path.of(System.getProperty("streamlab.frontend",
                    opt.media().resolveSibling("frontend").toString()));
            if (!Files.isDirectory(frontend)) throw new IllegalArgumentException("frontend folder " + frontend
                    + " not found (set -Dstreamlab.frontend)");
            Phase1Server server = Phase1Server.start(opt.host(), opt.port(), opt.media(), frontend);
            out.println("Phase 1 — MP4 inspector, serving " + opt.media());
            out.println("Open " + server.uri() + "   (JSON: " + server.uri() + "api/probe; Ctrl-C stops)");
            return server;
        } catch (IllegalArgumentException | IOException e) {
            err.println("phase1: " + LaunchOptions.startFailure(e));
        }
        return null;
    }
}
