package dev.streamlab.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SequencedSet;
import java.util.stream.Stream;

/**
 * Turns a JMH CSV result file ({@code -rf csv}, run with {@code -prof gc}) into a Markdown table: one row per
 * benchmark method and parameter set, with time per op, throughput, heap bytes allocated per op and the speed-up
 * over a reference method; then, for a single parameter, a throughput grid (parameter x method).
 *
 * <pre>
 * java -cp &lt;test classpath&gt; dev.streamlab.bench.JmhTable results.csv results.md \
 *     [--bytes-per-op N] [--reference METHOD] [--order m1,m2,...] [--title TEXT] [--command TEXT]
 * </pre>
 *
 * Used by {@code scripts/bench.sh}; the machine described in the header is the one running this class, so run
 * it right after JMH, on the same JDK.
 */
public final class JmhTable {
    private static final String USAGE = "usage: JmhTable <results.csv> <results.md> [--bytes-per-op N] "
            + "[--reference METHOD] [--order m1,m2,...] [--title TEXT] [--command TEXT]";

    private JmhTable() {}

    public static void main(String... args) {
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        int code = run(out, args);
        out.flush();
        if (code != 0) System.exit(code);
    }

    /** Converts, prints where the table went, and returns an exit code: 0 done, 1 bad input, 2 bad usage. */
    static int run(PrintWriter out, String... args) {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            out.println(e.getMessage());
            out.println(USAGE);
            return 2;
        }
        try {
            List<Row> rows = Row.readCsv(options.csv);
            if (rows.isEmpty()) {
                out.println(options.csv + ": no benchmark results in it");
                return 1;
            }
            Files.writeString(options.md, render(rows, options, machine(options.csv)), StandardCharsets.UTF_8);
            out.println("wrote " + options.md);
            return 0;
        } catch (IOException | UncheckedIOException | IllegalArgumentException e) {
            out.println("cannot convert " + options.csv + ": " + e.getMessage());
            return 1;
        }
    }

    // --- rendering ---

    static String render(List<Row> rows, Options options, List<String> machine) {
        Results results = Results.of(rows, options.order);
        StringBuilder md = new StringBuilder();
        md.append("# ").append(options.title.orElse("JMH results: " + results.benchmarkClass())).append("\n\n");
        machine.forEach(line -> md.append("- ").append(line).append('\n'));
        options.command.ifPresent(c -> md.append("- Command: `").append(c).append("`\n"));
        md.append("- Mode: ").append(results.describeMode());
        options.bytesPerOp.ifPresent(b -> md.append(String.format(Locale.ROOT,
                "; one op reads %,d bytes; MB/s counts 10^6 bytes per second", b)));
        md.append(".\n\n");

        List<String> params = results.paramNames();
        List<String> header = new ArrayList<>(List.of("strategy"));
        params.forEach(p -> header.add(words(p)));
        header.add("time per op (ms)");
        if (options.bytesPerOp.isPresent()) header.add("MB/s");
        header.add("bytes allocated per op");
        options.reference.ifPresent(r -> header.add("speed-up vs " + r));
        md.append("| ").append(String.join(" | ", header)).append(" |\n|");
        header.forEach(h -> md.append(h.equals("strategy") ? "---|" : "---:|"));
        md.append('\n');

        for (Map<String, String> paramSet : results.paramSets()) {
            for (String method : results.methods()) {
                results.find(method, paramSet).ifPresent(r -> {
                    List<String> cells = new ArrayList<>(List.of(method));
                    params.forEach(p -> cells.add(formatParam(p, paramSet.get(p))));
                    cells.add(formatTime(r));
                    options.bytesPerOp.ifPresent(b -> cells.add(formatMbPerSecond(b, r.millisPerOp())));
                    cells.add(results.allocation(r).map(JmhTable::formatBytes).orElse("n/a (no -prof gc)"));
                    options.reference.ifPresent(ref -> cells.add(results.find(ref, paramSet)
                            .map(base -> String.format(Locale.ROOT, "%.2fx", base.millisPerOp() / r.millisPerOp()))
                            .orElse("n/a")));
                    md.append("| ").append(String.join(" | ", cells)).append(" |\n");
                });
            }
        }

        if (params.size() == 1 && options.bytesPerOp.isPresent() && results.paramSets().size() > 1) {
            String param = params.getFirst();
            long bytes = options.bytesPerOp.get();
            md.append("\nMB/s by ").append(words(param)).append(" (bold: each strategy's best)\n\n| ")
                    .append(words(param));
            results.methods().forEach(m -> md.append(" | ").append(m));
            md.append(" |\n|---:|");
            results.methods().forEach(m -> md.append("---:|"));
            md.append('\n');
            for (Map<String, String> paramSet : results.paramSets()) {
                md.append("| ").append(formatParam(param, paramSet.get(param)));
                for (String method : results.methods()) {
                    Optional<Row> r = results.find(method, paramSet);
                    boolean best = r.isPresent() && results.fastest(method).orElse(null) == r.get();
                    String cell = r.map(x -> formatMbPerSecond(bytes, x.millisPerOp())).orElse("");
                    md.append(" | ").append(best ? "**" + cell + "**" : cell);
                }
                md.append(" |\n");
            }
        }
        return md.toString();
    }

    /** The machine this runs on; the CSV's modification time dates the run. */
    static List<String> machine(Path csv) throws IOException {
        String cpu = "";
        Path cpuinfo = Path.of("/proc/cpuinfo");
        if (Files.isReadable(cpuinfo)) {
            try (Stream<String> lines = Files.lines(cpuinfo)) {
                cpu = lines.filter(l -> l.startsWith("model name")).findFirst()
                        .map(l -> ", " + l.substring(l.indexOf(':') + 1).strip()).orElse("");
            }
        }
        long ram = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getTotalMemorySize();
        String date = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")
                .format(Files.getLastModifiedTime(csv).toInstant().atOffset(ZoneOffset.UTC));
        return List.of(
                String.format(Locale.ROOT, "Machine: %d CPUs (nproc)%s, %.1f GiB RAM, %s %s (%s)",
                        Runtime.getRuntime().availableProcessors(), cpu, ram / (double) (1L << 30),
                        System.getProperty("os.name"), System.getProperty("os.version"), System.getProperty("os.arch")),
                "JDK: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                        + " (" + System.getProperty("java.vendor") + ")",
                "Date: " + date);
    }

    static String words(String camelCase) {
        return camelCase.replaceAll("([a-z0-9])([A-Z])", "$1 $2").toLowerCase(Locale.ROOT);
    }

    static String formatParam(String name, String value) {
        if (name.toLowerCase(Locale.ROOT).endsWith("size") && value.matches("\\d+")) {
            long v = Long.parseLong(value);
            if (v >= 1 << 20 && v % (1 << 20) == 0) return v / (1 << 20) + " MiB";
            if (v >= 1 << 10 && v % (1 << 10) == 0) return v / (1 << 10) + " KiB";
            return v + " B";
        }
        return value;
    }

    static String formatTime(Row r) {
        double ms = r.millisPerOp();
        double err = r.error * r.toMillis();
        String digits = ms >= 100 ? "%.1f" : ms >= 1 ? "%.3f" : "%.4f";
        if (Double.isNaN(err)) return String.format(Locale.ROOT, digits + " (no error estimate)", ms);
        return String.format(Locale.ROOT, digits + " ± " + digits, ms, err);
    }

    static String formatMbPerSecond(long bytesPerOp, double millisPerOp) {
        return String.format(Locale.ROOT, "%,.0f", bytesPerOp / (millisPerOp / 1000) / 1e6);
    }

    static String formatBytes(double bytes) {
        return String.format(Locale.ROOT, "%,.0f", bytes);
    }

    // --- model ---

    /** One CSV line: a primary result ({@code secondary} empty) or a profiler's metric. */
    record Row(String benchmark, String secondary, String mode, long samples, double score, double error,
               String unit, Map<String, String> params) {

        String method() {
            return benchmark.substring(benchmark.lastIndexOf('.') + 1);
        }

        String benchmarkClass() {
            String withoutMethod = benchmark.substring(0, benchmark.lastIndexOf('.'));
            return withoutMethod.substring(withoutMethod.lastIndexOf('.') + 1);
        }

        /** Factor from this row's unit to milliseconds per op. */
        double toMillis() {
            return switch (unit) {
                case "s/op" -> 1e3;
                case "ms/op" -> 1;
                case "us/op" -> 1e-3;
                case "ns/op" -> 1e-6;
                default -> throw new IllegalArgumentException(benchmark + ": unit " + unit
                        + " is not a time per op; run JMH in avgt or sample mode");
            };
        }

        double millisPerOp() {
            return score * toMillis();
        }

        static List<Row> readCsv(Path csv) throws IOException {
            List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
            if (lines.isEmpty()) return List.of();
            List<String> header = splitCsv(lines.getFirst());
            int benchmark = column(header, "Benchmark");
            int mode = column(header, "Mode");
            int samples = column(header, "Samples");
            int score = column(header, "Score");
            int error = column(header, "Score Error (99.9%)");
            int unit = column(header, "Unit");
            List<Row> rows = new ArrayList<>();
            for (String line : lines.subList(1, lines.size())) {
                if (line.isBlank()) continue;
                List<String> f = splitCsv(line);
                Map<String, String> params = new LinkedHashMap<>();
                for (int i = 0; i < header.size(); i++) {
                    if (header.get(i).startsWith("Param: ")) params.put(header.get(i).substring(7), f.get(i));
                }
                // JMH names profiler metrics "method:metric" (older versions used a middle dot).
                String[] name = f.get(benchmark).split("[:\u00b7]", 2);
                rows.add(new Row(name[0], name.length > 1 ? name[1] : "", f.get(mode), Long.parseLong(f.get(samples)),
                        number(f.get(score)), number(f.get(error)), f.get(unit), params));
            }
            return rows;
        }

        private static int column(List<String> header, String name) {
            int i = header.indexOf(name);
            if (i < 0) throw new IllegalArgumentException("not a JMH CSV file: no \"" + name + "\" column");
            return i;
        }

        private static double number(String s) {
            // JMH formats with the default locale: accept a decimal comma too.
            return s.equals("NaN") ? Double.NaN : Double.parseDouble(s.contains(".") ? s : s.replace(',', '.'));
        }

        static List<String> splitCsv(String line) {
            List<String> fields = new ArrayList<>();
            StringBuilder field = new StringBuilder();
            boolean quoted = false;
            for (int i = 0; i < line.length(); i++) {
                char c = line.charAt(i);
                if (quoted) {
                    if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                        field.append('"');
                        i++;
                    } else if (c == '"') {
                        quoted = false;
                    } else {
                        field.append(c);
                    }
                } else if (c == '"') {
                    quoted = true;
                } else if (c == ',') {
                    fields.add(field.toString());
                    field.setLength(0);
                } else {
                    field.append(c);
                }
            }
            fields.add(field.toString());
            return fields;
        }
    }

    /** The rows, indexed by method and parameter set, in display order. */
    record Results(List<Row> rows, List<String> methods, List<Map<String, String>> paramSets) {

        static Results of(List<Row> rows, List<String> order) {
            SequencedSet<String> methods = new LinkedHashSet<>(order);
            rows.stream().filter(r -> r.secondary().isEmpty()).map(Row::method).forEach(methods::add);
            methods.removeIf(m -> rows.stream().noneMatch(r -> r.secondary().isEmpty() && r.method().equals(m)));
            List<Map<String, String>> sets = new ArrayList<>(
                    rows.stream().map(Row::params).distinct().toList());
            // Numeric parameters in numeric order (JMH writes them in the order it ran them).
            sets.sort((a, b) -> {
                for (String key : a.keySet()) {
                    String x = a.get(key);
                    String y = b.get(key);
                    int c = x.matches("-?\\d+") && y.matches("-?\\d+")
                            ? Long.compare(Long.parseLong(x), Long.parseLong(y)) : x.compareTo(y);
                    if (c != 0) return c;
                }
                return 0;
            });
            return new Results(rows, List.copyOf(methods), sets);
        }

        String benchmarkClass() {
            return rows.getFirst().benchmarkClass();
        }

        List<String> paramNames() {
            return List.copyOf(rows.getFirst().params().keySet());
        }

        Optional<Row> find(String method, Map<String, String> params) {
            return rows.stream().filter(r -> r.secondary().isEmpty() && r.method().equals(method)
                    && r.params().equals(params)).findFirst();
        }

        Optional<Double> allocation(Row primary) {
            return rows.stream().filter(r -> r.secondary().equals("gc.alloc.rate.norm")
                    && r.benchmark().equals(primary.benchmark()) && r.params().equals(primary.params()))
                    .map(Row::score).findFirst();
        }

        Optional<Row> fastest(String method) {
            return rows.stream().filter(r -> r.secondary().isEmpty() && r.method().equals(method))
                    .min((a, b) -> Double.compare(a.millisPerOp(), b.millisPerOp()));
        }

        String describeMode() {
            Row first = rows.getFirst();
            return String.format(Locale.ROOT, "JMH %s, %d measurement iterations per row; "
                    + "± is JMH's 99.9%% confidence half-width", first.mode(), first.samples());
        }
    }

    /** Parsed command line. */
    record Options(Path csv, Path md, Optional<Long> bytesPerOp, Optional<String> reference, List<String> order,
                   Optional<String> title, Optional<String> command) {

        static Options parse(String... args) {
            List<String> positional = new ArrayList<>();
            Map<String, String> named = new LinkedHashMap<>();
            for (int i = 0; i < args.length; i++) {
                if (args[i].startsWith("--")) {
                    if (i + 1 >= args.length) throw new IllegalArgumentException(args[i] + " needs a value");
                    named.put(args[i], args[++i]);
                } else {
                    positional.add(args[i]);
                }
            }
            if (positional.size() != 2) throw new IllegalArgumentException("expected <results.csv> <results.md>");
            for (String key : named.keySet()) {
                if (!List.of("--bytes-per-op", "--reference", "--order", "--title", "--command").contains(key)) {
                    throw new IllegalArgumentException("unknown option " + key);
                }
            }
            Optional<Long> bytes;
            try {
                bytes = Optional.ofNullable(named.get("--bytes-per-op")).map(Long::parseLong);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--bytes-per-op must be a whole number of bytes");
            }
            List<String> order = named.containsKey("--order") ? List.of(named.get("--order").split(",")) : List.of();
            return new Options(Path.of(positional.get(0)), Path.of(positional.get(1)), bytes,
                    Optional.ofNullable(named.get("--reference")), order, Optional.ofNullable(named.get("--title")),
                    Optional.ofNullable(named.get("--command")));
        }
    }
}
