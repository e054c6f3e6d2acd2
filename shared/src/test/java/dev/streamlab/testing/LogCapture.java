package dev.streamlab.testing;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * What a {@code java.util.logging} logger logs at or above a level while this is open, for tests that assert "one
 * warning, naming X" or "no warning at all". {@code try (LogCapture logs = LogCapture.warnings(Foo.class)) { ... }}.
 *
 * <p>A named logger's records are kept off the console meanwhile (the test expects them; their stack traces would
 * only clutter the build log). The root logger ({@link #everyWarning()}) keeps its console: a test that asserts no
 * warning anywhere should show any that comes.
 */
public final class LogCapture extends Handler implements AutoCloseable {
    private final Logger logger;
    private final Level threshold;
    private final boolean quiet;
    private final List<LogRecord> records = Collections.synchronizedList(new ArrayList<>());

    private LogCapture(Logger logger, Level threshold, boolean quiet) {
        this.logger = logger;
        this.threshold = threshold;
        this.quiet = quiet;
        logger.addHandler(this);
        if (quiet) logger.setUseParentHandlers(false);
    }

    /** WARNING and SEVERE from the logger named after {@code c}. */
    public static LogCapture warnings(Class<?> c) {
        return at(Level.WARNING, c.getName());
    }

    /** Records at {@code threshold} or above from the logger named {@code name}. */
    public static LogCapture at(Level threshold, String name) {
        return new LogCapture(Logger.getLogger(name), threshold, true);
    }

    /** WARNING and SEVERE from every logger (the root's handlers see them all), still printed. */
    public static LogCapture everyWarning() {
        return new LogCapture(Logger.getLogger(""), Level.WARNING, false);
    }

    /** The records so far, in the order they were logged. */
    public List<LogRecord> records() {
        synchronized (records) {
            return List.copyOf(records);
        }
    }

    /** The records so far as {@code "LEVEL message"} lines, for an assertion message worth reading. */
    public List<String> lines() {
        return records().stream().map(r -> r.getLevel() + " " + r.getMessage()).toList();
    }

    @Override
    public void publish(LogRecord r) {
        if (r.getLevel().intValue() >= threshold.intValue()) records.add(r);
    }

    @Override
    public void flush() { }

    @Override
    public void close() {
        logger.removeHandler(this);
        if (quiet) logger.setUseParentHandlers(true);
    }
}
