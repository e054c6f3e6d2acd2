package dev.streamlab.phase3;

import dev.streamlab.shared.log.OneLineLog;
import java.util.Locale;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One line per request ({@code java.util.logging}, logger {@code streamlab.access}, level INFO), phase 2's format:
 * <pre>GET /videos/sample-30s range=bytes=0-1 status=206 bytes=2 ms=0.4 io=sendfile range=single</pre>
 * {@code io}: {@code sendfile} when the body went out with {@code transferTo}, {@code write} when from memory (JSON,
 * static files, phase 4's cached chunks), {@code none} without a body.
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

    /** Installs the one-line console format ({@link OneLineLog}). */
    static void installOneLineFormat(Level level) {
        OneLineLog.install(level);
    }
}
