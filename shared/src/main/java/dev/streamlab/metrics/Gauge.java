package dev.streamlab.metrics;

import java.util.function.DoubleSupplier;

/** A value read when scraped (open connections, heap in use): nothing to update on the hot path. */
public final class Gauge implements Metric {
    private final String name;
    private final String help;
    private final DoubleSupplier value;

    Gauge(String name, String help, DoubleSupplier value) {
        this.name = name;
        this.help = help;
        this.value = value;
    }

    public double value() {
        return value.getAsDouble();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String help() {
        return help;
    }

    @Override
    public String type() {
        return "gauge";
    }

    @Override
    public void writeSamples(StringBuilder out) {
        out.append(name).append(' ').append(MetricsRegistry.number(value())).append('\n');
    }
}
