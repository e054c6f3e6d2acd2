package dev.streamlab.metrics;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** A monotonically increasing count, optionally split by labels. {@link LongAdder}s keep hot paths contention-free. */
public final class Counter implements Metric {
    private final String name;
    private final String help;
    private final Labels<LongAdder> labels;

    Counter(String name, String help, List<String> labelNames) {
        this.name = name;
        this.help = help;
        this.labels = new Labels<>(labelNames, LongAdder::new);
    }

    /** The child for these label values (in the order the labels were declared). */
    public LongAdder labels(String... values) {
        return labels.get(values);
    }

    /** Adds {@code n} to the unlabelled counter. */
    public void add(long n) {
        labels.get().add(n);
    }

    public void inc() {
        add(1);
    }

    /** Current value of the child with these labels (0 when it was never touched). */
    public long value(String... values) {
        LongAdder a = labels.children().get(List.of(values));
        return a == null ? 0 : a.sum();
    }

    /** Sum over all children. */
    public long total() {
        long sum = 0;
        for (LongAdder a : labels.children().values()) sum += a.sum();
        return sum;
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
        return "counter";
    }

    @Override
    public void writeSamples(StringBuilder out) {
        for (Map.Entry<List<String>, LongAdder> e : labels.children().entrySet()) {
            out.append(name).append(labels.render(e.getKey(), null, null)).append(' ').append(e.getValue().sum())
                    .append('\n');
        }
    }
}
