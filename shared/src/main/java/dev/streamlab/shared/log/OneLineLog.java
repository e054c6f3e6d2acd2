package dev.streamlab.shared.log;

import java.util.Locale;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * {@code java.util.logging} on one line per record ({@code 12:00:01.234 INFO    streamlab.access GET /...}); the
 * JDK's default console format spans two lines, which makes an access log hard to read and to {@code grep}.
 */
public final class OneLineLog {
    private OneLineLog() {}

    /** Replaces the root logger's handlers with one console handler at {@code level} using the one-line format. */
    public static void install(Level level) {
        Logger root = Logger.getLogger("");
        for (Handler h : root.getHandlers()) root.removeHandler(h);
        ConsoleHandler console = new ConsoleHandler();
        console.setLevel(level);
        console.setFormatter(new Formatter() {
            @Override
            public String format(LogRecord r) {
                String thrown = r.getThrown() == null ? "" : " (" + r.getThrown() + ")";
                return String.format(Locale.ROOT, "%1$tT.%1$tL %2$-7s %3$s %4$s%5$s%n", r.getMillis(),
                        r.getLevel().getName(), r.getLoggerName(), formatMessage(r), thrown);
            }
        });
        root.addHandler(console);
        root.setLevel(level);
    }
}
