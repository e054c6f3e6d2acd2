package dev.streamlab.probe;

import dev.streamlab.mp4.Mp4File;
import dev.streamlab.mp4.Mp4FormatException;
import dev.streamlab.shared.json.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@code ./lab probe FILE... [--json] [--boxes]}: phase 1's inspector, an ffprobe-like summary of MP4 files
 * computed by our own parser. {@code --json} prints one JSON document on stdout (an array when there are several
 * files), with the box tree in it under {@code "boxes"} when {@code --boxes} is given too.
 */
public final class ProbeMain {
    private ProbeMain() {}

    static final String USAGE = "usage: probe [--json] [--boxes] [--] FILE...";

    public static void main(String[] args) {
        System.exit(run(System.out, System.err, args));
    }

    /** Runs the probe; returns the exit code (0 ok, 1 a file could not be probed, 2 usage), never exits. */
    public static int run(PrintStream out, PrintStream err, String... args) {
        boolean json = false;
        boolean boxes = false;
        List<Path> files = new ArrayList<>();
        boolean options = true;
        for (String a : args) {
            if (!options || !a.startsWith("-") || a.equals("-")) {
                // Path.of("") is the working directory: an empty argument (an unset shell variable) would be
                // reported as "is a directory", far from the mistake.
                if (a.isEmpty()) {
                    err.println("probe: an empty file name\n" + USAGE);
                    return 2;
                }
                files.add(Path.of(a));
                continue;
            }
            switch (a) {
                case "--" -> options = false; // POSIX utility syntax guideline 10: what follows is a file, "-x" too
                case "--json" -> json = true;
                case "--boxes" -> boxes = true;
                case "-h", "--help" -> {
                    out.println(USAGE);
                    return 0;
                }
                default -> {
                    err.println("probe: unknown option " + a + " (a file named so: -- " + a + ")\n" + USAGE);
                    return 2;
                }
            }
        }
        if (files.isEmpty()) {
            err.println(USAGE);
            return 2;
        }
        int status = 0;
        // With --json, stdout is one JSON document whatever happens: the report object for one file (as it has
        // always been), an array of them for several; a file that cannot be probed is {"file","error"} in it.
        List<Object> reports = new ArrayList<>();
        for (Path f : files) {
            try {
                Mp4File mp4 = Mp4File.open(f);
                if (json) {
                    Map<String, Object> report = new LinkedHashMap<>();
                    if (files.size() > 1) report.put("file", f.toString());
                    report.putAll(Probe.report(mp4));
                    if (boxes) report.put("boxes", Probe.boxTree(mp4));
                    reports.add(report);
                } else {
                    out.print(Probe.text(f.getFileName().toString(), mp4));
                    if (boxes) out.print(Probe.boxes(mp4));
                }
            } catch (IOException e) {
                String problem = switch (e) {
                    case Mp4FormatException bad -> "not a valid MP4: " + bad.getMessage();
                    case NoSuchFileException missing -> Objects.requireNonNullElse(missing.getReason(), "no such file");
                    default -> e.getMessage();
                };
                err.println("probe: " + f + ": " + problem);
                status = 1;
                if (json) {
                    Map<String, Object> error = new LinkedHashMap<>();
                    error.put("file", f.toString());
                    error.put("error", problem);
                    reports.add(error);
                }
            }
        }
        if (json) out.println(Json.pretty(files.size() == 1 ? reports.getFirst() : reports));
        return status;
    }
}
