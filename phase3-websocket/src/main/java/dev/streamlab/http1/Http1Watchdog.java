package dev.streamlab.http1;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One thread that enforces every connection's deadlines ({@link Http1Timeout}).
 *
 * <p>Each connection has two deadline slots, one for the read it is blocked in and one for the write: a connection
 * handed to an {@link UpgradeHandler} may read on one thread and write from another. A connection sets a slot
 * before a blocking call and clears it after; every period (a quarter of the shortest timeout, 25 ms to 1 s) the
 * watchdog looks at all slots and acts on those past due:
 * <ul>
 *   <li>{@link Http1Timeout#REQUEST}: shuts the socket's input down, so the blocked read returns end-of-stream and
 *       the connection can still answer 408 before closing (and closes it if it has not after a grace period);</li>
 *   <li>every other kind: closes the channel, which fails the blocked read or write at once with an
 *       {@code AsynchronousCloseException} — for a virtual thread parked in a read or write, and for a platform
 *       thread blocked in {@code sendfile}, which {@code FileChannel.transferTo} registers as the socket's writer.</li>
 * </ul>
 * A slot is claimed with compare-and-set, so a deadline the connection replaced (it made progress) is never acted
 * on by mistake.
 */
final class Http1Watchdog implements AutoCloseable {
    /** How long a connection told to answer 408 has before it is closed anyway. */
    static final long GRACE_NANOS = Duration.ofSeconds(2).toNanos();

    private record Deadline(long atNanos, Http1Timeout kind) {}

    private final Set<Watched> watched = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService timer;
    private final Http1Events events;

    Http1Watchdog(Duration shortestTimeout, Http1Events events) {
        this.events = events;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "http1-watchdog");
            t.setDaemon(true);
            return t;
        });
        long period = Math.clamp(shortestTimeout.toMillis() / 4, 25, 1000);
        timer.scheduleAtFixedRate(this::check, period, period, TimeUnit.MILLISECONDS);
    }

    /** Starts watching a connection. */
    Watched watch(SocketChannel channel) {
        Watched w = new Watched(channel);
        watched.add(w);
        return w;
    }

    /** The connections being watched (for {@link Http1Server#close()}). */
    Set<Watched> all() {
        return watched;
    }

    private void check() {
        long now = System.nanoTime();
        for (Watched w : watched) {
            w.check(w.read, now);
            w.check(w.write, now);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }

    /** One connection's deadlines. */
    final class Watched {
        final SocketChannel channel;
        private final AtomicReference<Deadline> read = new AtomicReference<>();
        private final AtomicReference<Deadline> write = new AtomicReference<>();
        private volatile Http1Timeout fired;

        private Watched(SocketChannel channel) {
            this.channel = channel;
        }

        /** Sets the read deadline: {@code timeout} from now. */
        void readBy(Http1Timeout kind, long timeoutNanos) {
            read.set(new Deadline(System.nanoTime() + timeoutNanos, kind));
        }

        /** The kind of the read deadline now set, or null. */
        Http1Timeout readKind() {
            Deadline d = read.get();
            return d == null ? null : d.kind();
        }

        void clearRead() {
            read.set(null);
        }

        /** Sets the write deadline: {@code timeout} from now. */
        void writeBy(long timeoutNanos) {
            write.set(new Deadline(System.nanoTime() + timeoutNanos, Http1Timeout.WRITE_STALL));
        }

        void clearWrite() {
            write.set(null);
        }

        /** The deadline that cut this connection off, or null. */
        Http1Timeout fired() {
            return fired;
        }

        /** Stops watching; the connection is closed or about to be. */
        void remove() {
            watched.remove(this);
        }

        private void check(AtomicReference<Deadline> slot, long now) {
            Deadline d = slot.get();
            if (d == null || now - d.atNanos() < 0 || !slot.compareAndSet(d, null)) return;
            fired = d.kind();
            if (d.kind() != Http1Timeout.LINGER) events.timedOut(d.kind());
            if (d.kind() == Http1Timeout.REQUEST) {
                try {
                    channel.shutdownInput(); // the blocked read sees end-of-stream; the connection answers 408
                    slot.compareAndSet(null, new Deadline(now + GRACE_NANOS, Http1Timeout.LINGER));
                    return;
                } catch (IOException e) {
                    // already broken: close it below
                }
            }
            try {
                channel.close();
            } catch (IOException e) {
                // closing a socket fails only if it is already gone
            }
        }
    }
}
