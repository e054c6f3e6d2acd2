package dev.streamlab.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The load test's report: one Markdown table per scenario (rows in the order the servers ran), ratios against
 * nginx from the same run, and a CSV with every figure for notebooks and plots.
 *
 * <p>With several rounds a row shows its server's median round, and a ratio column is the median of the per-round
 * ratios (each server against nginx of the same round), not the ratio of two medians: rounds are minutes apart on a
 * shared machine whose speed drifts, and two medians can come from different rounds (measured: nginx's rounds at
 * 12,015–18,550 req/s in one run, where the ratio of medians said 0.75 and the per-round ratios 0.75, 0.87, 0.87).
 */
final class Results {
    static final String REFERENCE = "nginx";

    private Results() {}

    /**
     * The whole report: title, header lines ({@code - ...}), one section per scenario, notes.
     *
     * @param all every measurement, every round
     */
    static String markdown(String title, List<String> header, List<Measurement> all, List<String> notes) {
        StringBuilder md = new StringBuilder("# ").append(title).append("\n\n");
        header.forEach(line -> md.append("- ").append(line).append('\n'));
        Map<String, List<Measurement>> byScenario = new LinkedHashMap<>();
        for (Measurement m : all) byScenario.computeIfAbsent(m.workload().key(), k -> new ArrayList<>()).add(m);
        for (List<Measurement> scenario : byScenario.values()) {
            Measurement first = scenario.getFirst();
            md.append("\n### ").append(first.workload().title()).append("\n\n");
            md.append(first.workload() instanceof Workload.Viewers ? viewersTable(scenario)
                    : first.bulk() ? bulkTable(scenario) : rangesTable(scenario));
        }
        if (!notes.isEmpty()) {
            md.append('\n');
            notes.forEach(n -> md.append("- ").append(n).append('\n'));
        }
        return md.toString();
    }

    /** @param scenario every round of one scenario's measurements; the table is of its median rounds */
    static String rangesTable(List<Measurement> scenario) {
        List<Measurement> rows = medianRows(scenario);
        StringBuilder t = new StringBuilder("| server | req/s | MB/s | TTFB p50 (ms) | TTFB p99 (ms) | failed "
                + "| server CPU (s) | CPU µs/req | RSS peak (anon) MiB | alloc/req | GCs | copies/byte | client CPU (s) "
                + "| req/s ÷ nginx | CPU/req ÷ nginx |\n");
        t.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Measurement m : rows) {
            if (!m.measured()) {
                t.append(unavailableRow(m, 14));
                continue;
            }
            Tally.Summary c = m.clients();
            t.append("| ").append(m.server())
                    .append(" | ").append(num(m.requestsPerSecond(), 0))
                    .append(" | ").append(num(m.megabytesPerSecond(), 0))
                    .append(" | ").append(num(c.ttfbP50Ms(), 2))
                    .append(" | ").append(num(c.ttfbP99Ms(), 2))
                    .append(" | ").append(failed(c))
                    .append(" | ").append(num(m.serverCpuSeconds(), 1))
                    .append(" | ").append(num(m.cpuMicrosPerRequest(), 0))
                    .append(" | ").append(rss(m))
                    .append(" | ").append(bytes(m.allocatedBytesPerRequest()))
                    .append(" | ").append(m.gcs() < 0 ? "–" : Long.toString(m.gcs()))
                    .append(" | ").append(num(m.copiesPerByte(), 2))
                    .append(" | ").append(num(m.clientCpu(), 1))
                    .append(" | ").append(ratio(m, scenario, Measurement::requestsPerSecond))
                    .append(" | ").append(ratio(m, scenario, Measurement::cpuMicrosPerRequest))
                    .append(" |\n");
        }
        return withProblems(t, rows);
    }

    /** @param scenario every round of one scenario's measurements; the table is of its median rounds */
    static String viewersTable(List<Measurement> scenario) {
        List<Measurement> rows = medianRows(scenario);
        StringBuilder t = new StringBuilder("| server | chunks | TTFB p50 (ms) | TTFB p99 (ms) | stalls | seeks "
                + "| failed | bulk MB/s | server CPU (s) | RSS peak (anon) MiB | alloc/MiB sent | GCs | copies/byte "
                + "| client CPU (s) | CPU ÷ nginx |\n");
        t.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Measurement m : rows) {
            if (!m.measured()) {
                t.append(unavailableRow(m, 14));
                continue;
            }
            Tally.Summary c = m.clients();
            t.append("| ").append(m.server())
                    .append(" | ").append(String.format(Locale.ROOT, "%,d", c.requests()))
                    .append(" | ").append(num(c.ttfbP50Ms(), 2))
                    .append(" | ").append(num(c.ttfbP99Ms(), 2))
                    .append(" | ").append(String.format(Locale.ROOT, "%,d", c.stalls()))
                    .append(" | ").append(String.format(Locale.ROOT, "%,d", c.seeks()))
                    .append(" | ").append(failed(c))
                    .append(" | ").append(num(m.bulkMegabytesPerSecond(), 0))
                    .append(" | ").append(num(m.serverCpuSeconds(), 1))
                    .append(" | ").append(rss(m))
                    .append(" | ").append(bytes(m.allocatedBytesPerMiB()))
                    .append(" | ").append(m.gcs() < 0 ? "–" : Long.toString(m.gcs()))
                    .append(" | ").append(num(m.copiesPerByte(), 2))
                    .append(" | ").append(num(m.clientCpu(), 1))
                    .append(" | ").append(ratio(m, scenario, Measurement::serverCpuSeconds))
                    .append(" |\n");
        }
        return withProblems(t, rows);
    }

    /** @param scenario every round of one scenario's measurements; the table is of its median rounds */
    static String bulkTable(List<Measurement> scenario) {
        List<Measurement> rows = medianRows(scenario);
        StringBuilder t = new StringBuilder("| server | MB/s | downloads done | server CPU (s) | CPU s/GB "
                + "| RSS peak (anon) MiB | alloc/MiB sent | GCs | copies/byte | client CPU (s) | MB/s ÷ nginx "
                + "| CPU/GB ÷ nginx |\n");
        t.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Measurement m : rows) {
            if (!m.measured()) {
                t.append(unavailableRow(m, 11));
                continue;
            }
            t.append("| ").append(m.server())
                    .append(" | ").append(num(m.megabytesPerSecond(), 0))
                    .append(" | ").append(m.clients().requests() - m.clients().failed())
                    .append(" | ").append(num(m.serverCpuSeconds(), 1))
                    .append(" | ").append(num(m.cpuSecondsPerGigabyte(), 2))
                    .append(" | ").append(rss(m))
                    .append(" | ").append(bytes(m.allocatedBytesPerMiB()))
                    .append(" | ").append(m.gcs() < 0 ? "–" : Long.toString(m.gcs()))
                    .append(" | ").append(num(m.copiesPerByte(), 2))
                    .append(" | ").append(num(m.clientCpu(), 1))
                    .append(" | ").append(ratio(m, scenario, Measurement::megabytesPerSecond))
                    .append(" | ").append(ratio(m, scenario, Measurement::cpuSecondsPerGigabyte))
                    .append(" |\n");
        }
        return withProblems(t, rows);
    }

    /** Every figure of every measurement, one line each. */
    static String csv(List<Measurement> all) {
        StringBuilder s = new StringBuilder("scenario,server,round,seconds,requests,failed,bytes,ttfb_p50_ms,ttfb_p99_ms,"
                + "stalls,seeks,bulk_bytes,bulk_downloads,server_cpu_s,peak_rss_kib,anon_rss_kib,allocated_bytes,gcs,"
                + "userspace_copy_bytes,strategy_bytes,client_cpu_s,unavailable\n");
        for (Measurement m : all) {
            List<Object> v = new ArrayList<>(List.of(m.workload().key(), m.server(), m.round()));
            if (m.measured()) {
                Tally.Summary c = m.clients();
                ServerUnderTest.Snapshot a = m.after();
                ServerUnderTest.Snapshot b = m.before();
                v.addAll(List.of(m.seconds(), c.requests(), c.failed(), c.bytes(), c.ttfbP50Ms(), c.ttfbP99Ms(),
                        c.stalls(), c.seeks(), c.bulkBytes(), c.bulkDownloads(), m.serverCpuSeconds(),
                        a.peakRssKiB(), a.anonRssKiB(), a.allocatedBytes() < 0 ? -1 : a.allocatedBytes() - b.allocatedBytes(),
                        m.gcs(), a.copyBytes() < 0 ? -1 : a.copyBytes() - b.copyBytes(),
                        a.strategyBytes() < 0 ? -1 : a.strategyBytes() - b.strategyBytes(), m.clientCpu(), ""));
            } else {
                for (int i = 0; i < 18; i++) v.add("");
                v.add(m.unavailable());
            }
            s.append(String.join(",", v.stream().map(Results::csvField).toList())).append('\n');
        }
        return s.toString();
    }

    /** RFC 4180 §2: a field with a comma, quote or line break goes in quotes, its quotes doubled. */
    static String csvField(Object value) {
        String f = String.valueOf(value);
        boolean quote = f.chars().anyMatch(c -> c == ',' || c == '"' || c == '\r' || c == '\n');
        return quote ? '"' + f.replace("\"", "\"\"") + '"' : f;
    }

    /** Machine, JDK, nginx and date lines for the header. */
    static List<String> machine(String nginxVersion, String date) {
        String cpu = "";
        long ramKiB = 0;
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            cpu = lines.filter(l -> l.startsWith("model name")).findFirst()
                    .map(l -> ", " + l.substring(l.indexOf(':') + 1).strip()).orElse("");
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        try (Stream<String> lines = Files.lines(Path.of("/proc/meminfo"))) {
            ramKiB = lines.filter(l -> l.startsWith("MemTotal:")).findFirst()
                    .map(l -> Long.parseLong(l.replaceAll("[^0-9]", ""))).orElse(0L);
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return List.of(
                String.format(Locale.ROOT, "Machine: %d CPUs (nproc)%s, %.1f GiB RAM, %s %s (%s)",
                        Runtime.getRuntime().availableProcessors(), cpu, ramKiB / (double) (1L << 20),
                        System.getProperty("os.name"), System.getProperty("os.version"), System.getProperty("os.arch")),
                "JDK: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                        + " (" + System.getProperty("java.vendor") + ")",
                "nginx: " + nginxVersion,
                "Date: " + date);
    }

    /**
     * One row per scenario and server: with several rounds, the round whose {@link Measurement#headline} is the
     * median (the lower one for an even count), whole, so a row's figures all come from one measurement.
     */
    static List<Measurement> medianRows(List<Measurement> all) {
        Map<String, List<Measurement>> cells = new LinkedHashMap<>();
        for (Measurement m : all) {
            cells.computeIfAbsent(m.workload().key() + "\0" + m.server(), k -> new ArrayList<>()).add(m);
        }
        List<Measurement> rows = new ArrayList<>();
        for (List<Measurement> cell : cells.values()) {
            List<Measurement> measured = new ArrayList<>(cell.stream().filter(Measurement::measured).toList());
            if (measured.isEmpty()) {
                rows.add(cell.getFirst());
                continue;
            }
            measured.sort(java.util.Comparator.comparingDouble(Measurement::headline));
            rows.add(measured.get((measured.size() - 1) / 2));
        }
        return rows;
    }

    /**
     * {@code f} of {@code m}'s server over nginx's, round by round in {@code scenario}, and the median of those (the
     * lower one for an even count, as {@link #medianRows}); "–" where no round measured both.
     */
    private static String ratio(Measurement m, List<Measurement> scenario, Function<Measurement, Double> f) {
        List<Double> perRound = new ArrayList<>();
        for (Measurement s : scenario) {
            if (!s.server().equals(m.server()) || !s.measured()) continue;
            for (Measurement ref : scenario) {
                if (ref.server().equals(REFERENCE) && ref.measured() && ref.round() == s.round()) {
                    double r = f.apply(s) / f.apply(ref);
                    if (Double.isFinite(r)) perRound.add(r);
                }
            }
        }
        if (perRound.isEmpty()) return "–";
        perRound.sort(null);
        return String.format(Locale.ROOT, "%.2f", perRound.get((perRound.size() - 1) / 2));
    }

    private static String failed(Tally.Summary c) {
        return c.failed() == 0 ? "0" : String.format(Locale.ROOT, "%,d", c.failed());
    }

    private static String unavailableRow(Measurement m, int cells) {
        return "| " + m.server() + " | unavailable: " + m.unavailable().replace("|", "/") + " |"
                + " – |".repeat(cells - 1) + "\n";
    }

    /**
     * The table, then a "Failures, server: …" line (failures by kind) for each row whose clients saw failures, so
     * "failed" is never a bare number.
     */
    private static String withProblems(StringBuilder table, List<Measurement> rows) {
        boolean first = true;
        for (Measurement m : rows) {
            if (!m.measured() || m.clients().problems().isEmpty()) continue;
            if (first) table.append('\n');
            first = false;
            table.append("Failures, ").append(m.server()).append(": ");
            List<String> parts = new ArrayList<>();
            m.clients().problems().forEach((k, n) -> parts.add(String.format(Locale.ROOT, "%,d × %s", n, k)));
            table.append(String.join("; ", parts)).append(".  \n");
        }
        return table.toString();
    }

    private static String rss(Measurement m) {
        return num(m.peakRssMiB(), 0) + (Double.isFinite(m.anonRssMiB()) ? " (" + num(m.anonRssMiB(), 0) + ")" : "");
    }

    static String num(double v, int decimals) {
        if (!Double.isFinite(v)) return "–";
        return String.format(Locale.ROOT, "%,." + decimals + "f", v);
    }

    /** Bytes per request: exact below 10 KiB, KiB above. */
    static String bytes(double v) {
        if (!Double.isFinite(v)) return "–";
        if (Math.abs(v) < 10 * 1024) return String.format(Locale.ROOT, "%,.0f B", v);
        return String.format(Locale.ROOT, "%,.1f KiB", v / 1024);
    }
}
