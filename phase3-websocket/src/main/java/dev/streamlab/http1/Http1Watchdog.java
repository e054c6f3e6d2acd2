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
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

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
 *
 * <p><b>At the connection cap</b> (every permit in use: the acceptor waits for one) the request, idle and write-stall
 * deadlines all shorten to {@link #FULL_TIMEOUT} from when they were set: a connection that has waited that long on
 * its client goes, to make room for the next client, who waits in the kernel's backlog meanwhile. nginx does the like for idle keep-alive connections
 * when it runs out of connections. Measured with {@code slowhttptest -X} holding every connection of a server capped at
 * 300: without it new clients found no service for 22 s, until the 30 s write-stall timeout (phase 3 README).
 * WebSocket reads ({@link Http1Timeout#UPGRADE_READ}) keep theirs: a quiet viewer is not an idle client.
 */
final class Http1Watchdog implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Http1Watchdog.class.getName());
    /** How long a connection told to answer 408 has before it is closed anyway. */
    static final long GRACE_NANOS = Duration.ofSeconds(2).toNanos();

    /** How long a connection may wait on its client while the server is at its connection cap. */
    static final Duration FULL_TIMEOUT = Duration.ofSeconds(5);

    /** When it was set and when it is due; at the cap it is due {@link #FULL_TIMEOUT} after it was set, if sooner. */
    private record Deadline(long setNanos, long atNanos, Http1Timeout kind) {
        static Deadline in(long timeoutNanos, Http1Timeout kind) {
            long now = System.nanoTime();
            return new Deadline(now, now + timeoutNanos, kind);
        }

        long dueNanos(boolean full) {
            return full && kind.shortensAtTheCap() ? Math.min(atNanos, setNanos + FULL_TIMEOUT.toNanos()) : atNanos;
        }
    }

    private final Set<Watched> watched = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService timer;
    private final Http1Events events;
    private final BooleanSupplier full;

    /**
     * @param full whether the server is at its connection cap (its acceptor waits for a permit)
     */
    Http1Watchdog(Duration shortestTimeout, Http1Events events, BooleanSupplier full) {
        this.events = events;
        this.full = full;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "http1-watchdog");
            t.setDaemon(true);
            return t;
        });
        long period = Math.clamp(shortestTimeout.toMillis() / 4, 25, 1000);
        timer.scheduleAtFixedRate(this::check, period, period, TimeUnit.MILLISECONDS);
    }

    /** A connection's deadlines, not yet watched: {@link Watched#start} begins, {@link Watched#remove} ends. */
    Watched watcher(SocketChannel channel) {
        return new Watched(channel);
    }

    /** The connections being watched (for {@link Http1Server#close()}). */
    Set<Watched> all() {
        return watched;
    }

    private void check() {
        long now = System.nanoTime();
        boolean atCap = full.getAsBoolean();
        for (Watched w : watched) {
            try {
                w.check(w.read, now, atCap);
                w.check(w.write, now, atCap);
            } catch (RuntimeException | Error e) {
                // A periodic task that throws is cancelled, silently (ScheduledExecutorService): one failing events
                // listener, or one OutOfMemoryError, would end every connection's timeouts for the server's life.
                LOG.log(Level.SEVERE, "watchdog: checking a connection failed; still watching", e);
            }
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
        private volatile boolean shed;

        private Watched(SocketChannel channel) {
            this.channel = channel;
        }

        /** Sets the read deadline: {@code timeout} from now. */
        void readBy(Http1Timeout kind, long timeoutNanos) {
            read.set(Deadline.in(timeoutNanos, kind));
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
            write.set(Deadline.in(timeoutNanos, Http1Timeout.WRITE_STALL));
        }

        void clearWrite() {
            write.set(null);
        }

        /** Whether the deadline that cut this connection off was due only because the server was at its cap. */
        boolean shed() {
            return shed;
        }

        /** The deadline that cut this connection off, or null. */
        Http1Timeout fired() {
            return fired;
        }

        /** Starts watching (and counting: {@link Http1Server#openConnections()}) the connection. */
        void start() {
            watched.add(this);
        }

        /** Stops watching; the connection is closed or about to be. Harmless if {@link #start} never ran. */
        void remove() {
            watched.remove(this);
        }

        private void check(AtomicReference<Deadline> slot, long now, boolean atCap) {
            Deadline d = slot.get();
            if (d == null || now - d.dueNanos(atCap) < 0 || !slot.compareAndSet(d, null)) return;
            fired = d.kind();
            try {
                if (now - d.atNanos() < 0) { // due only because the server is full
                    shed = true;
                    events.shedAtTheCap(d.kind());
                }
                if (d.kind() != Http1Timeout.LINGER) events.timedOut(d.kind());
            } finally {
                act(slot, d, now); // the slot is claimed: if the connection is not cut off now, it never is
            }
        }

        private void act(AtomicReference<Deadline> slot, Deadline d, long now) {
            if (d.kind() == Http1Timeout.REQUEST) {
                try {
                    channel.shutdownInput(); // the blocked read sees end-of-stream; the connection answers 408
                    slot.compareAndSet(null, new Deadline(now, now + GRACE_NANOS, Http1Timeout.LINGER));
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
