package dev.streamlab.phase2;

import dev.streamlab.shared.cli.LaunchOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;

/**
 * {@code ./lab run phase2 [--io naive|reused|mapped] [--stall-timeout SECONDS] [--quiet]}: the HTTP streaming
 * server on the bundled samples.
 */
public final class Phase2Main {
    static final String USAGE = ("usage: ./lab run phase2 " + LaunchOptions.USAGE
            + " [--io naive|reused|mapped] [--stall-timeout SECONDS] [--quiet]\n" + LaunchOptions.OPTIONS + """
              --io MODE        how response bodies are read: naive, reused or mapped (default mapped)
              --stall-timeout S  close a connection whose write makes no progress for S seconds (default 30)
              --quiet          no access log
            """).stripTrailing();

    private Phase2Main() {}

    public static void main(String[] args) throws InterruptedException {
        if (LaunchOptions.wantsHelp(args)) {
            System.out.println(USAGE);
            return;
        }
        Phase2Server.configure(); // before any JDK server class loads
        Phase2Server server = start(System.out, System.err, args);
        if (server == null) System.exit(1);
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        new CountDownLatch(1).await(); // serve until Ctrl-C
    }

    static Phase2Server start(PrintStream out, PrintStream err, String... args) {
        try {
            LaunchOptions opt = LaunchOptions.parse(List.of(args), LaunchOptions.bundledMedia());
            String io = "mapped";
            long stallSeconds = 30;
            boolean quiet = false;
            List<String> rest = opt.rest();
            for (int i = 0; i < rest.size(); i++) {
                switch (rest.get(i)) {
                    case "--io" -> io = value(rest, ++i, "--io");
                    case "--stall-timeout" -> {
                        try {
                            stallSeconds = Long.parseLong(value(rest, ++i, "--stall-timeout"));
                        } catch (NumberFormatException e) {
                            throw new IllegalArgumentException("--stall-timeout needs a number of seconds");
                        }
                    }
                    case "--quiet" -> quiet = true;
                    default -> throw new IllegalArgumentException("unknown argument " + rest.get(i) + "\n" + USAGE);
                }
            }
            Path frontend = Path.of(System.getProperty("streamlab.frontend",
                    opt.media().resolveSibling("frontend").toString()));
            if (!Files.isDirectory(frontend)) throw new IllegalArgumentException("frontend folder " + frontend
                    + " not found (set -Dstreamlab.frontend)");
            AccessLog.installOneLineFormat(quiet ? Level.WARNING : Level.INFO);
            Phase2Server server = Phase2Server.start(opt.host(), opt.port(), opt.media(),
                    new Phase2Server.Settings(io, TimeUnit.SECONDS.toMillis(stallSeconds), frontend)); // saturates
            out.println("Phase 2 — HTTP streaming (com.sun.net.httpserver, virtual threads, io=" + io + "), serving "
                    + opt.media());
            out.println("Open " + server.uri() + "   (catalog: " + server.uri() + "api/videos, metrics: "
                    + server.uri() + "metrics; Ctrl-C stops)");
            return server;
        } catch (IllegalArgumentException | IOException e) {
            err.println("phase2: " + LaunchOptions.startFailure(e));
        }
        return null;
    }

    private static String value(List<String> args, int i, String option) {
        if (i >= args.size()) throw new IllegalArgumentException(option + " needs a value");
        return args.get(i);
    }
}
