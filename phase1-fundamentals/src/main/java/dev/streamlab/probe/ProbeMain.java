package dev.streamlab.probe;

import dev.streamlab.mp4.Mp4File;
import dev.streamlab.mp4.Mp4FormatException;
import dev.streamlab.shared.json.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code ./lab probe FILE... [--json] [--boxes]}: phase 1's inspector, an ffprobe-like summary of MP4 files
 * computed by our own parser.
 */
public final class ProbeMain {
    private ProbeMain() {}

    static final String USAGE = "usage: probe FILE... [--json] [--boxes]";

    public static void main(String[] args) {
        System.exit(run(System.out, System.err, args));
    }

    /** Runs the probe; returns the exit code (0 ok, 1 a file could not be probed, 2 usage), never exits. */
    public static int run(PrintStream out, PrintStream err, String... args) {
        boolean json = false;
        boolean boxes = false;
        List<Path> files = new ArrayList<>();
        for (String a : args) {
            switch (a) {
                case "--json" -> json = true;
                case "--boxes" -> boxes = true;
                case "-h", "--help" -> {
                    out.println(USAGE);
                    return 0;
                }
                default -> {
                    if (a.startsWith("--")) {
                        err.println("probe: unknown option " + a + "\n" + USAGE);
                        return 2;
                    }
                    files.add(Path.of(a));
                }
            }
        }
        if (files.isEmpty()) {
            err.println(USAGE);
            return 2;
        }
        int status = 0;
        for (Path f : files) {
            try {
                Mp4File mp4 = Mp4File.open(f);
                if (json) out.println(Json.pretty(Probe.report(mp4)));
                else out.print(Probe.text(f.getFileName().toString(), mp4));
                if (boxes) out.print(Probe.boxes(mp4));
            } catch (Mp4FormatException e) {
                err.println("probe: " + f + ": not a valid MP4: " + e.getMessage());
                status = 1;
            } catch (NoSuchFileException e) {
                err.println("probe: " + f + ": no such file");
                status = 1;
            } catch (IOException e) {
                err.println("probe: " + f + ": " + e.getMessage());
                status = 1;
            }
        }
        return status;
    }
}
