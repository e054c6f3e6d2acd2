package dev.streamlab.metrics;

/** Something {@link MetricsRegistry} can expose: writes its own lines of the Prometheus text format. */
public sealed interface Metric permits Counter, Gauge, Histogram {
    String name();

    String help();

    /** The {@code # TYPE} word: counter, gauge or histogram. */
    String type();

    void writeSamples(StringBuilder out);
}
