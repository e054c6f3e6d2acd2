package dev.streamlab.http1;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * An HTTP/1.1 server on a {@code ServerSocketChannel}: one blocking accept loop, one thread per connection
 * (virtual by default), every socket in blocking mode — the code reads top to bottom, and the JDK parks a virtual
 * thread instead of blocking its carrier.
 *
 * <pre>
 *   accept loop (one platform thread)           per connection (Http1Connection, one virtual thread)
 *     permits.acquire()   // the cap, first       watchdog.watch(connection)
 *     channel = accept()                          read -&gt; Http1Parser -&gt; Http1Request
 *     connection = new Http1Connection(channel)   handler.handle(Http1Exchange)  -&gt; Http1Writer
 *     start thread(connection)                    keep-alive? read the next request : close
 *     failed? close channel, permits.release()    finally: unwatch, close, permits.release()
 *   Http1Watchdog (one thread): request, idle and write-stall deadlines of every connection
 * </pre>
 *
 * <p>The connection cap is a semaphore permit taken <em>before</em> {@code accept} and released when the connection
 * ends (as Helidon's {@code ServerListener} does): at the cap the server stops accepting, and new clients wait in
 * the kernel's listen backlog instead of being accepted and then dropped.
 */
public final class Http1Server implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Http1Server.class.getName());
    /** Back-off after a failed accept (out of file descriptors): retrying at once would spin. */
    private static final long ACCEPT_BACKOFF_MILLIS = 50;
    /** The longest back-off after connections lost one after another to an {@code Error} (doubling from 50 ms). */
    private static final long ERROR_BACKOFF_MAX_MILLIS = 1000;

    private final ServerSocketChannel listener;
    private final InetSocketAddress address;
    private final Http1Settings settings;
    private final Http1Handler handler;
    private final Http1Events events;
    private final Semaphore permits;
    private final Http1Watchdog watchdog;
    private final DirectBufferPool buffers = new DirectBufferPool(Http1Writer.FALLBACK_CHUNK, 256);
    private final ThreadFactory threads;
    private final Thread acceptor;
    private volatile boolean open = true;

    private Http1Server(ServerSocketChannel listener, Http1Settings settings, Http1Handler handler,
            Http1Events events, ThreadFactory connectionThreads) throws IOException {
        this.listener = listener;
        this.address = (InetSocketAddress) listener.getLocalAddress();
        this.settings = settings;
        this.handler = handler;
        this.events = events;
        this.permits = new Semaphore(settings.maxConnections());
        Duration shortest = settings.requestTimeout();
        if (settings.idleTimeout().compareTo(shortest) < 0) shortest = settings.idleTimeout();
        if (settings.writeStallTimeout().compareTo(shortest) < 0) shortest = settings.writeStallTimeout();
        this.watchdog = new Http1Watchdog(shortest, events, permits::hasQueuedThreads); // the acceptor waits: full
        this.threads = connectionThreads != null ? connectionThreads : switch (settings.threads()) {
            case VIRTUAL -> Thread.ofVirtual().name("http1-" + address.getPort() + "-", 1).factory();
            case PLATFORM -> Thread.ofPlatform().daemon().name("http1-" + address.getPort() + "-", 1).factory();
        };
        this.acceptor = Thread.ofPlatform().daemon().name("http1-accept-" + address.getPort()).unstarted(this::accept);
    }

    /**
     * Binds {@code address} and starts accepting.
     *
     * @param address  where to listen; port 0 picks a free port ({@link #address()} tells which)
     * @param settings threads, connection cap, timeouts and limits
     * @param handler  answers every request that parses
     * @param events   told about connections, refusals and timeouts (for metrics); {@link Http1Events#NONE}
     * @throws IOException when the address cannot be bound
     */
    public static Http1Server start(InetSocketAddress address, Http1Settings settings, Http1Handler handler,
            Http1Events events) throws IOException {
        return start(address, settings, handler, events, null);
    }

    /**
     * As {@link #start(InetSocketAddress, Http1Settings, Http1Handler, Http1Events)}, with the connection threads
     * made by {@code connectionThreads} instead of as {@link Http1Settings#threads()} says: a test's way to make
     * starting a connection fail (an {@code OutOfMemoryError} from {@code Thread.start}) without exhausting the JVM.
     *
     * @param connectionThreads null: as the settings say
     */
    static Http1Server start(InetSocketAddress address, Http1Settings settings, Http1Handler handler,
            Http1Events events, ThreadFactory connectionThreads) throws IOException {
        ServerSocketChannel listener = ServerSocketChannel.open();
        try {
            listener.bind(address, 0); // 0: the system's default backlog (net.core.somaxconn)
        } catch (IOException | RuntimeException e) {
            listener.close();
            throw e;
        }
        Http1Server server = new Http1Server(listener, settings, handler, events, connectionThreads);
        server.acceptor.start();
        return server;
    }

    /** The bound address (with the real port when 0 was asked for). */
    public InetSocketAddress address() {
        return address;
    }

    public Http1Settings settings() {
        return settings;
    }

    /** Connections open now: accepted and not yet closed. */
    public int openConnections() {
        return watchdog.all().size();
    }

    /** Whether the server still accepts (false once {@link #close()} has begun). */
    public boolean isOpen() {
        return open;
    }

    private void accept() {
        int lost = 0; // connections lost one after another to an Error: for the log and the back-off
        while (open) {
            try {
                permits.acquire();
            } catch (InterruptedException e) {
                return;
            }
            SocketChannel channel = null;
            try {
                channel = listener.accept();
                // Made here, not on its thread, so that a constructor that throws (out of memory, a bug) is caught
                // below like a thread that fails to start: the constructor only allocates (Http1Connection), and the
                // socket and the permit are given back by dropUnstarted.
                Http1Connection connection = new Http1Connection(channel, this);
                threads.newThread(() -> {
                    try {
                        connection.run();
                    } finally {
                        permits.release();
                    }
                }).start();
            } catch (ClosedChannelException e) {
                // close() closed the listener: the normal way out.
                permits.release();
                return;
            } catch (IOException e) {
                // Out of file descriptors (EMFILE), or a connection aborted before we took it: keep serving.
                permits.release();
                LOG.log(Level.WARNING, "accept failed: " + e);
                sleepQuietly(ACCEPT_BACKOFF_MILLIS);
                continue;
            } catch (RuntimeException | Error e) {
                // Taking, making or starting this connection failed before its thread ran, so the permit and the
                // socket are still ours, and nothing else was taken (the watchdog learns of a connection on its own
                // thread): an OutOfMemoryError ("unable to create native thread" from start(), or the heap), a
                // LinkageError, a bug. Were the acceptor to die of it, the port would stay bound and never accept
                // again: clients would wait in the backlog forever, the worst way to fail. So every Error is survived,
                // VirtualMachineErrors such as InternalError included: this loop holds no state beyond the permit
                // and the socket, both given back here, so a retry meets nothing half-done, and if the JVM is truly
                // broken the log says so and the back-off keeps the retries from spinning. An operator who prefers
                // the process to die on OOM has -XX:+ExitOnOutOfMemoryError.
                lost++;
                dropUnstarted(channel, e, lost);
                continue;
            }
            if (lost > 1) {
                LOG.log(Level.WARNING, "connections start again; " + lost + " in a row were dropped, the first logged");
            }
            lost = 0;
        }
    }

    /**
     * Gives back what a connection that failed to start held, logs the first failure of a series (later ones would
     * only repeat it, and logging costs memory that may be short), and backs off: 50 ms, doubling to 1 s.
     */
    private void dropUnstarted(SocketChannel channel, Throwable cause, int lost) {
        permits.release(); // first: it allocates nothing, and a second Error below must not keep the permit
        try {
            if (channel != null) closeQuietly(channel);
            if (lost == 1) LOG.log(Level.SEVERE, "could not start a connection (" + cause + "): dropped it, still accepting",
                    cause);
        } catch (RuntimeException | Error again) {
            // Still out of memory, most likely: nothing more can be done for this connection; the loop goes on.
        }
        sleepQuietly(Math.min(ACCEPT_BACKOFF_MILLIS << Math.min(lost - 1, 5), ERROR_BACKOFF_MAX_MILLIS));
    }

    /**
     * Stops accepting, closes every connection (downloads in progress end), and waits up to 5 s for their threads.
     */
    @Override
    public void close() {
        open = false;
        closeQuietly(listener);
        acceptor.interrupt(); // if it waits for a permit rather than in accept
        try {
            acceptor.join(5000);
            for (Http1Watchdog.Watched w : watchdog.all()) closeQuietly(w.channel);
            // Every connection returns its permit when its thread ends.
            if (permits.tryAcquire(settings.maxConnections(), 5, TimeUnit.SECONDS)) {
                permits.release(settings.maxConnections());
            } else {
                LOG.warning("connections still running 5 s after close");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            watchdog.close();
        }
    }

    // For Http1Connection.

    Http1Watchdog watchdog() {
        return watchdog;
    }

    DirectBufferPool buffers() {
        return buffers;
    }

    Http1Events events() {
        return events;
    }

    Http1Handler handler() {
        return handler;
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // already closed or broken: nothing to undo
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
