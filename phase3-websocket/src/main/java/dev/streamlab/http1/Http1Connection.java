package dev.streamlab.http1;

import dev.streamlab.shared.io.MappingFault;
import dev.streamlab.shared.text.ClientText;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One client connection, on its own thread: read a request, let the handler answer it, repeat while keep-alive
 * allows. Protocol details live elsewhere — bytes to requests in {@link Http1Parser}, responses in
 * {@link Http1Exchange} and {@link Http1Writer}, deadlines in {@link Http1Watchdog}.
 */
final class Http1Connection implements Runnable {
    private static final Logger LOG = Logger.getLogger(Http1Connection.class.getName());
    /** Per-connection read buffer; requests are small, and 10,000 idle connections should stay cheap. */
    static final int READ_BUFFER = 4096;
    /** After an error response, at most this much unread input is drained before closing (lingering close). */
    private static final int MAX_LINGER_BYTES = 256 * 1024;
    private static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private final SocketChannel channel;
    private final Http1Server server;
    private final Http1Watchdog.Watched watch;
    private final Http1Writer writer;
    private Http1Parser parser; // dropped with the read buffer once a connection is upgraded
    /** What an upgraded connection reads from once {@link #releaseReadBuffer} dropped the request buffer. */
    private static final ByteBuffer NO_BYTES = ByteBuffer.allocate(0).asReadOnlyBuffer();
    private ByteBuffer in = ByteBuffer.allocate(READ_BUFFER).flip(); // read mode, empty
    private InetSocketAddress remote;
    /** The upgrade of the last exchange, if it asked for one: it may carry a protocol to run after the exchange. */
    private Http1Upgrade upgraded;

    /**
     * Allocations only, no side effects: the watchdog learns of the connection when it {@linkplain #run runs}. So a
     * constructor that fails (out of memory, a bug) leaves nothing to undo but the socket and the permit, which
     * {@link Http1Server}'s accept loop still holds and gives back.
     */
    Http1Connection(SocketChannel channel, Http1Server server) {
        this.channel = channel;
        this.server = server;
        this.watch = server.watchdog().watcher(channel);
        this.writer = new Http1Writer(channel, watch, server.settings().writeStallTimeout().toNanos(),
                server.buffers(), server.events());
        this.parser = new Http1Parser(server.settings().limits());
    }

    /** Serves the connection, then closes it; everything it took (the watchdog entry, the socket) is given back. */
    @Override
    public void run() {
        try {
            watch.start(); // before serve() checks server.isOpen(): Http1Server.close() sees it, or it sees close()
            remote = (InetSocketAddress) channel.getRemoteAddress();
            server.events().connectionOpened(); // in here: a listener that throws must not leave the socket open
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true); // the head must not wait for Nagle
            serve();
            runHandedOff();
        } catch (Http1Exception e) {
            // A request we refuse (bad syntax, over a limit, too slow): answer it and close, since the framing of
            // whatever follows is unknown.
            server.events().requestRejected(e.status());
            LOG.log(Level.FINE, () -> remote + ": " + e.getMessage());
            refuse(e);
        } catch (ClosedByInterruptException e) {
            // Nothing in this server interrupts a connection thread; the JDK has closed every channel the thread was
            // in (the socket, and a file it was sending from, for everyone sharing it: OpenFiles).
            LOG.log(Level.WARNING, "connection from " + remote + " failed: its thread was interrupted, which closed"
                    + " the channels it was using", e);
        } catch (ClosedChannelException e) {
            if (channel.isOpen()) {
                // Not the socket: a channel the handler was reading from was closed under the response, such as a
                // video file's shared channel closed by an interrupt of another thread reading it (OpenFiles). The
                // response is cut short, so the connection closes.
                LOG.log(Level.WARNING, "connection from " + remote + " failed: a channel other than its socket was"
                        + " closed under the response", e);
            } else {
                // Closed under us: by the watchdog (idle, stalled write, slowloris) or by Http1Server.close().
                // Routine.
                LOG.log(Level.FINE, () -> remote + ": closed (" + watch.fired() + ")");
            }
        } catch (IOException e) {
            // The client went away: reset, broken pipe, EOF mid-request. Routine for video (seeks, closed tabs).
            LOG.log(Level.FINE, () -> remote + ": client gone: " + e);
        } catch (RuntimeException e) {
            // A bug in a handler or here: the connection is in an unknown state, so it is closed.
            LOG.log(Level.WARNING, "connection from " + remote + " failed", e);
        } catch (InternalError e) {
            // An upgraded protocol reading a mapped file truncated under it: the connection closes, as for any
            // failed send; one line, since the trace says nothing the message does not.
            if (!MappingFault.is(e)) throw e;
            LOG.log(Level.WARNING, "connection from " + remote + " closed: a mapped file shrank under it (" + e + ")");
        } finally {
            watch.remove();
            closeQuietly();
            server.events().connectionClosed();
        }
    }

    private void serve() throws IOException, Http1Exception {
        // Http1Server.close() closes the connections it sees; one registered just after that sees it is closing here.
        if (!server.isOpen()) return;
        // A new connection has the request timeout, from now, to send its first request.
        watch.readBy(Http1Timeout.REQUEST, server.settings().requestTimeout().toNanos());
        while (true) {
            Http1Request request = readRequest();
            if (request == null) return;
            watch.clearRead();
            Http1Exchange exchange = new Http1Exchange(request, this);
            try {
                server.handler().handle(exchange);
            } catch (RuntimeException e) {
                // A handler bug: answer 500 if nothing was sent yet, then close.
                LOG.log(Level.WARNING, "handler failed for " + request, e);
                if (!exchange.committed()) exchange.error(500, "internal error: " + e.getClass().getSimpleName());
                return;
            } catch (InternalError e) {
                if (!MappingFault.is(e)) throw e;
                answerMappingFault(exchange, e);
                return;
            }
            if (!exchange.finish()) return;
            watch.readBy(Http1Timeout.IDLE, server.settings().idleTimeout().toNanos());
        }
    }

    /**
     * Runs the protocol an upgrade handler handed off ({@link Http1Upgrade#handOff}) now that {@link #serve} has
     * returned: the request, the exchange and the router's frames are gone from this thread's stack, so an idle
     * WebSocket does not keep them alive for hours (measured: about 4 KB of heap per idle connection,
     * {@code ./lab bench phase3-ws --scale-only}).
     */
    private void runHandedOff() throws IOException {
        Http1Upgrade u = upgraded;
        upgraded = null;
        Http1Upgrade.Protocol next = u == null ? null : u.takeHandedOff();
        if (next != null) next.run();
    }

    /**
     * A route read a mapped file that was truncated since it was mapped. Caught here, once, rather than in each route
     * that reads a mapping (phase 3's /boxes, phase 4's cached segments...): a route cannot tell which of its reads
     * touch a mapping, and one it forgot closed the connection unanswered with a trace on stderr. The file is being
     * rewritten, so the answer is "try again in a moment"; with the head already out, the body is cut short and the
     * connection closes, as for any failed body.
     */
    private void answerMappingFault(Http1Exchange exchange, InternalError e) throws IOException {
        Http1Request request = exchange.request();
        LOG.log(Level.WARNING, remote + ": " + request.method() + " " + request.path() + ": a mapped file shrank while"
                + " it was read (" + e.getMessage() + ")" + (exchange.committed() ? "; response cut short" : "; 503"));
        if (exchange.committed()) return;
        exchange.header("Retry-After", "1");
        exchange.header("Connection", "close"); // the handler's state is unknown: no next request on this connection
        exchange.error(503, request.method() + " " + ClientText.shorten(request.path())
                + ": a file it reads changed while it was read; try again in a moment");
    }

    /** The next request, or null when the client closed the connection cleanly between requests. */
    private Http1Request readRequest() throws IOException, Http1Exception {
        while (true) {
            Http1Request request = parser.parse(in);
            if (request != null) return request;
            if (watch.readKind() == Http1Timeout.IDLE && !parser.idle()) {
                // The first bytes of the next request — just read, or left over from a pipelined batch: from now on
                // the whole request must arrive in time (408), not merely some byte within the idle timeout.
                watch.readBy(Http1Timeout.REQUEST, server.settings().requestTimeout().toNanos());
            }
            if (parser.takeContinue()) writer.write(new ByteBuffer[] {ByteBuffer.wrap(CONTINUE)}, n -> { });
            in.compact();
            int n;
            try {
                n = channel.read(in);
            } finally {
                in.flip();
            }
            if (n < 0) {
                if (parser.idle()) return null; // end of a keep-alive connection (or a client that sent nothing)
                if (watch.fired() == Http1Timeout.REQUEST) {
                    throw new Http1Exception(408, watch.shed()
                            ? "the request did not arrive within " + Http1Watchdog.FULL_TIMEOUT.toSeconds()
                                    + " s while the server was full"
                            : "the request did not arrive within " + server.settings().requestTimeout().toSeconds()
                                    + " s");
                }
                throw new EOFException("the client closed the connection in the middle of a request");
            }
        }
    }

    /**
     * Answers a refused request and closes with a lingering close: output shut down after the response, then unread
     * input drained (bounded in time and bytes) so that closing with unread data does not send a reset that could
     * destroy the response before the client reads it.
     */
    private void refuse(Http1Exception e) {
        try {
            writer.write(Http1Response.error(e.status(), e.reason(), true), n -> { });
            channel.shutdownOutput();
            watch.readBy(Http1Timeout.LINGER, Http1Watchdog.GRACE_NANOS);
            ByteBuffer sink = ByteBuffer.allocate(READ_BUFFER);
            for (int total = 0; total < MAX_LINGER_BYTES; ) {
                int n = channel.read(sink.clear());
                if (n < 0) break;
                total += n;
            }
        } catch (IOException ignored) {
            // the client is gone or the linger ran out: either way the connection closes now
        }
    }

    private void closeQuietly() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing a socket fails only when it is already unusable
        }
    }

    // For Http1Exchange and Http1Upgrade.

    Http1Writer writer() {
        return writer;
    }

    SocketChannel channel() {
        return channel;
    }

    ByteBuffer buffered() {
        return in;
    }

    /**
     * Drops the 4 KiB request buffer once an upgraded connection has consumed the bytes left in it: a WebSocket
     * reads into its own (smaller, lazily allocated) buffer from then on, and keeping this one for the life of an
     * idle connection cost 4 KiB of heap each, the parser another ~1 KB (measured: {@code ./lab bench phase3-ws --scale-only}). Only the
     * upgrade path calls this; no request is parsed on the connection afterwards.
     */
    void releaseReadBuffer() {
        if (in.hasRemaining()) return;
        in = NO_BYTES;
        parser = null; // its line buffer and header list too (~1 KB)
    }

    Http1Watchdog.Watched watch() {
        return watch;
    }

    InetSocketAddress remoteAddress() {
        return remote;
    }

    boolean acceptingMore() {
        return server.isOpen();
    }

    Http1Upgrade upgrade() {
        watch.clearRead();
        return upgraded = new Http1Upgrade(this);
    }
}
