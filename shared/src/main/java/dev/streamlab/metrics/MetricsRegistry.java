package dev.streamlab.metrics;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.DoubleSupplier;
import java.util.regex.Pattern;

/**
 * The metrics a server exports at {@code /metrics}, written by hand in the Prometheus text exposition format
 * (version 0.0.4: {@code # HELP}, {@code # TYPE}, then {@code name{labels} value} lines).
 */
public final class MetricsRegistry {
    /** The text format's content type. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private final Map<String, Metric> metrics = new ConcurrentSkipListMap<>();

    public Counter counter(String name, String help, String... labelNames) {
        return register(new Counter(checkName(name), help, List.of(labelNames)));
    }

    public Gauge gauge(String name, String help, DoubleSupplier value) {
        return register(new Gauge(checkName(name), help, value));
    }

    public Histogram histogram(String name, String help, double[] bounds, String... labelNames) {
        return register(new Histogram(checkName(name), help, bounds, List.of(labelNames)));
    }

    private <M extends Metric> M register(M m) {
        if (metrics.putIfAbsent(m.name(), m) != null) {
            throw new IllegalArgumentException("metric " + m.name() + " is already registered");
        }
        return m;
    }

    /** All metrics, sorted by name, in the text format. */
    public String scrape() {
        StringBuilder out = new StringBuilder(4096);
        for (Metric m : metrics.values()) {
            out.append("# HELP ").append(m.name()).append(' ')
                    .append(m.help().replace("\\", "\\\\").replace("\n", "\\n")).append('\n');
            out.append("# TYPE ").append(m.name()).append(' ').append(m.type()).append('\n');
            m.writeSamples(out);
        }
        return out.toString();
    }

    static String checkName(String name) {
        if (!NAME.matcher(name).matches()) throw new IllegalArgumentException("bad metric or label name " + name);
        return name;
    }

    /** Integral values without a fraction; the format's spellings for the non-finite ones. */
    static String number(double v) {
        if (Double.isNaN(v)) return "NaN";
        if (Double.isInfinite(v)) return v > 0 ? "+Inf" : "-Inf";
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
        return Double.toString(v);
    }
}
