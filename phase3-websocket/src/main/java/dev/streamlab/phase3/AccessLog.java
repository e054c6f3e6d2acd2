package dev.streamlab.phase3;

import java.util.Locale;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * One line per request ({@code java.util.logging}, logger {@code streamlab.access}, level INFO), phase 2's format:
 * <pre>GET /videos/sample-30s range=bytes=0-1 status=206 bytes=2 ms=0.4 io=sendfile range=single</pre>
 */
final class AccessLog {
    static final Logger LOG = Logger.getLogger("streamlab.access");

    private AccessLog() {}

    static void log(Call c, String io, int status) {
        if (!LOG.isLoggable(Level.INFO)) return;
        String range = c.header("Range");
        String target = c.ex.request().target();
        LOG.info(String.format(Locale.ROOT, "%s %s%s status=%d bytes=%d ms=%.1f io=%s%s", c.method(),
                target.length() > 200 ? target.substring(0, 200) + "..." : target,
                range == null ? "" : " range=" + range.replace(' ', '_'), status, c.ex.bodyBytes(),
                (System.nanoTime() - c.ex.startNanos()) / 1e6, io, c.note.isEmpty() ? "" : " " + c.note));
    }

    /** Installs a one-line formatter on the root logger's console output (the JDK default spans two lines). */
    static void installOneLineFormat(Level level) {
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
