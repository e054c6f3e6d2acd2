package dev.streamlab.metrics;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * Observations counted into fixed buckets (Prometheus histogram: cumulative {@code _bucket{le=...}},
 * {@code _sum}, {@code _count}), so percentiles can be estimated across scrapes and servers.
 */
public final class Histogram implements Metric {
    private final String name;
    private final String help;
    private final double[] bounds;
    private final Labels<Cells> labels;

    /** One label set's buckets: non-cumulative counts, summed into cumulative ones when written. */
    public static final class Cells {
        private final double[] bounds;
        private final LongAdder[] buckets;
        private final DoubleAdder sum = new DoubleAdder();
        private final LongAdder count = new LongAdder();

        Cells(double[] bounds) {
            this.bounds = bounds;
            this.buckets = new LongAdder[bounds.length + 1];
            for (int i = 0; i < buckets.length; i++) buckets[i] = new LongAdder();
        }

        public void observe(double v) {
            int i = Arrays.binarySearch(bounds, v);
            if (i < 0) i = -i - 1; // first bound >= v; le is inclusive
            buckets[i].increment();
            sum.add(v);
            count.increment();
        }

        public long count() {
            return count.sum();
        }

        public double sum() {
            return sum.sum();
        }
    }

    Histogram(String name, String help, double[] bounds, List<String> labelNames) {
        this.name = name;
        this.help = help;
        this.bounds = bounds.clone();
        for (int i = 1; i < this.bounds.length; i++) {
            if (!(this.bounds[i] > this.bounds[i - 1])) throw new IllegalArgumentException("bounds must increase");
        }
        this.labels = new Labels<>(labelNames, () -> new Cells(this.bounds));
    }

    public Cells labels(String... values) {
        return labels.get(values);
    }

    public void observe(double v) {
        labels.get().observe(v);
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
        return "histogram";
    }

    @Override
    public void writeSamples(StringBuilder out) {
        for (Map.Entry<List<String>, Cells> e : labels.children().entrySet()) {
            Cells c = e.getValue();
            long cumulative = 0;
            for (int i = 0; i <= bounds.length; i++) {
                cumulative += c.buckets[i].sum();
                String le = i < bounds.length ? MetricsRegistry.number(bounds[i]) : "+Inf";
                out.append(name).append("_bucket").append(labels.render(e.getKey(), "le", le)).append(' ')
                        .append(cumulative).append('\n');
            }
            String l = labels.render(e.getKey(), null, null);
            out.append(name).append("_sum").append(l).append(' ').append(MetricsRegistry.number(c.sum())).append('\n');
            out.append(name).append("_count").append(l).append(' ').append(c.count()).append('\n');
        }
    }
}
