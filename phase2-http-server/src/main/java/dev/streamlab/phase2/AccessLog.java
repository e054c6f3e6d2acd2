package dev.streamlab.phase2;

import dev.streamlab.shared.log.OneLineLog;
import java.util.Locale;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One line per request ({@code java.util.logging}, logger {@code streamlab.access}, level INFO):
 * <pre>GET /videos/sample-30s range=bytes=0-1 status=206 bytes=2 ms=0.4 io=mapped</pre>
 * Key=value pairs, so the line is readable by people and by {@code grep}/{@code awk} alike.
 */
final class AccessLog {
    static final Logger LOG = Logger.getLogger("streamlab.access");

    private AccessLog() {}

    static void log(Call c, String io) {
        if (!LOG.isLoggable(Level.INFO)) return;
        String range = c.header("Range");
        LOG.info(String.format(Locale.ROOT, "%s %s%s status=%d bytes=%d ms=%.1f io=%s%s", c.method(),
                c.exchange.getRequestURI().getRawPath(), range == null ? "" : " range=" + range.replace(' ', '_'),
                c.status, c.bodyBytes, (System.nanoTime() - c.startNanos) / 1e6, io,
                c.note.isEmpty() ? "" : " " + c.note));
    }

    /** Installs the one-line console format ({@link OneLineLog}). */
    static void installOneLineFormat(Level level) {
        OneLineLog.install(level);
    }
}
