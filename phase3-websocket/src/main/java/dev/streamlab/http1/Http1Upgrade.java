package dev.streamlab.http1;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.InterruptedByTimeoutException;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A connection handed to an {@link UpgradeHandler}: the socket, the bytes the server already read past the upgrade
 * request, and reads and writes that keep the server's protections.
 *
 * <ul>
 *   <li>{@link #write} is a blocking gathering write under the write-stall watchdog: a client that stops reading is
 *       cut off after the server's write-stall timeout instead of blocking a writer forever (RFC 6455 servers need
 *       this for slow consumers: {@code SO_TIMEOUT} covers reads only). Writes are serialized by a lock, so several
 *       threads may write whole frames without interleaving them.</li>
 *   <li>{@link #read} drains {@link #buffered()} first, then reads the socket, with a timeout that closes the
 *       connection when it passes.</li>
 * </ul>
 * A handler that wants full control can use {@link #channel()} directly (after draining {@link #buffered()}).
 */
public final class Http1Upgrade {
    private final Http1Connection connection;
    private final ReentrantLock writeLock = new ReentrantLock(); // not synchronized: a virtual thread may block in it
    private volatile boolean touched;
    private volatile int status;
    private Protocol handedOff;

    /** The new protocol's loop, run on the connection's thread; an IOException closes the connection. */
    @FunctionalInterface
    public interface Protocol {
        void run() throws IOException;
    }

    Http1Upgrade(Http1Connection connection) {
        this.connection = connection;
    }

    /** The socket, in blocking mode. Bytes already read from it are in {@link #buffered()}, not here. */
    public SocketChannel channel() {
        touched = true;
        return connection.channel();
    }

    /**
     * The bytes the server read past the upgrade request (a client may send its first frames right behind the
     * handshake), in read mode. The same buffer {@link #read} drains: consume it before reading the channel.
     */
    public ByteBuffer buffered() {
        touched = true;
        return connection.buffered();
    }

    public InetSocketAddress remoteAddress() {
        return connection.remoteAddress();
    }

    /** Sends a response head: {@code 101 Switching Protocols}, or a refusal (the server then closes). */
    public void respond(Http1Response head) throws IOException {
        status = head.status();
        write(head.encode());
    }

    /** Writes every remaining byte of {@code buffers}, in order, under the write-stall watchdog. */
    public void write(ByteBuffer... buffers) throws IOException {
        touched = true;
        writeLock.lock();
        try {
            connection.writer().write(buffers, n -> { });
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Reads into {@code dst}: from {@link #buffered()} while it has bytes, else from the socket, waiting at most
     * {@code timeout}.
     *
     * @return the bytes read, or -1 at end of stream
     * @throws InterruptedByTimeoutException when nothing arrived in time; the connection is closed
     */
    public int read(ByteBuffer dst, Duration timeout) throws IOException {
        touched = true;
        ByteBuffer in = connection.buffered();
        if (in.hasRemaining()) {
            int n = Math.min(in.remaining(), dst.remaining());
            dst.put(dst.position(), in, in.position(), n).position(dst.position() + n);
            in.position(in.position() + n);
            return n;
        }
        connection.releaseReadBuffer(); // drained: the request buffer is not needed again
        Http1Watchdog.Watched watch = connection.watch();
        watch.readBy(Http1Timeout.UPGRADE_READ, timeout.toNanos());
        try {
            return connection.channel().read(dst);
        } catch (ClosedChannelException e) {
            if (watch.fired() == Http1Timeout.UPGRADE_READ) {
                InterruptedByTimeoutException t = new InterruptedByTimeoutException();
                t.initCause(e);
                throw t;
            }
            throw e;
        } finally {
            watch.clearRead();
        }
    }

    /**
     * Instead of running the new protocol inside {@link UpgradeHandler#upgrade} (which keeps the upgrade request and
     * every router frame above it reachable for the life of the connection), a handler that has sent its
     * {@code 101} may hand the protocol's loop off here and return true: the connection runs it as soon as the
     * HTTP exchange has unwound, on the same thread, with the same protections.
     */
    public void handOff(Protocol protocol) {
        if (handedOff != null) throw new IllegalStateException("a protocol is already handed off");
        if (status != 101) throw new IllegalStateException("hand off only after a 101 response");
        touched = true;
        handedOff = java.util.Objects.requireNonNull(protocol, "protocol");
    }

    Protocol takeHandedOff() {
        Protocol p = handedOff;
        handedOff = null;
        return p;
    }

    boolean touched() {
        return touched;
    }

    /** The status of the head sent with {@link #respond}, or 0. */
    int status() {
        return status;
    }
}
