package dev.streamlab.phase2;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Cuts off responses whose client stopped reading.
 *
 * <p>A socket read timeout covers reads only; a write to a client that never reads blocks forever once the
 * socket buffers are full, holding a thread and a file. The JDK server's {@code sun.net.httpserver.maxRspTime}
 * would bound the <em>whole</em> response and so kill a long, healthy download. This watchdog instead bounds the
 * time a single {@code write} makes no progress: every second it looks at writes in progress and interrupts the
 * thread of any that has been blocked longer than the stall timeout. Interrupting a thread blocked in a
 * {@code SocketChannel} write closes the channel (it is an {@code InterruptibleChannel}), so the write fails and
 * the handler unwinds normally.
 */
final class StallWatchdog implements AutoCloseable {
    private final long timeoutNanos;
    private final Set<Watched> inWrite = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService timer;
    private final Runnable onStall;

    StallWatchdog(long timeoutMillis, Runnable onStall) {
        // Saturating: --stall-timeout 10000000000 (a student's "never") is past Long.MAX_VALUE in nanoseconds, and a
        // wrapped, negative timeout made every write in progress at a check look stalled: downloads cut at random.
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        this.onStall = onStall;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "stall-watchdog");
            t.setDaemon(true);
            return t;
        });
        long period = Math.max(50, Math.min(1000, timeoutMillis / 4));
        timer.scheduleAtFixedRate(this::check, period, period, TimeUnit.MILLISECONDS);
    }

    /** Wraps a response body so that its writes are watched. */
    OutputStream watch(OutputStream body) {
        return new Watched(body);
    }

    /** One look at the writes in progress; the timer calls it every period (tests call it directly). */
    void check() {
        long now = System.nanoTime();
        for (Watched w : inWrite) {
            if (now - w.since > timeoutNanos && w.writer != null) {
                inWrite.remove(w);
                onStall.run();
                w.writer.interrupt();
            }
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }

    private final class Watched extends FilterOutputStream {
        volatile long since;
        volatile Thread writer;

        Watched(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            writer = Thread.currentThread();
            since = System.nanoTime();
            inWrite.add(this);
            try {
                out.write(b, off, len);
            } finally {
                inWrite.remove(this);
            }
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }
    }
}
