package dev.streamlab.websocket.server;

import dev.streamlab.http1.Http1Upgrade;
import dev.streamlab.http1.WorkBudget;
import dev.streamlab.http1.WorkCap;
import dev.streamlab.websocket.WsCloseCodes;
import dev.streamlab.websocket.WsEvent;
import dev.streamlab.websocket.WsLimits;
import dev.streamlab.websocket.MessageBudget;
import dev.streamlab.websocket.WsMessageAssembler;
import dev.streamlab.websocket.deflate.DeflateEvents;
import dev.streamlab.websocket.deflate.MessageDeflater;
import dev.streamlab.websocket.deflate.PerMessageDeflate;
import dev.streamlab.websocket.frame.WsCloseException;
import dev.streamlab.websocket.frame.WsOpcode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.InterruptedByTimeoutException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One WebSocket connection's read loop, on its own virtual thread: bytes in, complete messages to the endpoint,
 * control frames answered here.
 *
 * <ul>
 *   <li>Ping → Pong with the same payload (RFC 6455 §5.5.2); Pong → nothing but "alive".</li>
 *   <li>Heartbeat: a shared timer sends a Ping every {@code idle}; a live peer answers with a Pong (or
 *       sends anything). A peer silent for two intervals is declared dead and the TCP connection is dropped without
 *       a Close — which the endpoint sees as 1006 ("abnormal closure", a code that is never sent, RFC 6455
 *       §7.4.1). A server going away on purpose sends 1001.</li>
 *   <li>A protocol violation ({@link WsCloseException}) → a Close with its code (1002, 1007, 1009), then the close
 *       handshake; the peer's Close → the same code echoed (§5.5.1), then the server closes TCP first (§7.1.1).</li>
 *   <li>Close timeout: after our Close, the peer gets {@link #CLOSE_TIMEOUT} to answer before TCP is dropped.</li>
 * </ul>
 */
public final class WsSession {
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(2);
    private static final int READ_BUFFER = 16 * 1024;
    /**
     * An idle connection only ever reads Pongs (and the odd small message): it starts with this much and gets
     * {@link #READ_BUFFER} the first time a read fills it, so 10,000 idle sessions do not hold 160 MiB of buffers.
     */
    private static final int INITIAL_READ_BUFFER = 512;
    /**
     * What one peer may ask of the server: messages and control frames handled per {@link #CAP_WINDOW} (6,400 a
     * second). Past it the read loop sleeps out the window, so a flooding peer cannot hold a carrier ({@link WorkCap}).
     * The players send a few control messages a second; Autobahn's cases 9.7 and 9.8 send 1,000 messages back to
     * back, which the cap spreads over 0.16 s.
     */
    static final int CAP_EVENTS = 64;
    static final Duration CAP_WINDOW = Duration.ofMillis(10);

    private final Http1Upgrade upgrade;
    private final WsConnection connection;
    private final WsEndpoint endpoint;
    private final WsMessageAssembler assembler;
    private final Duration idle;
    private final Runnable overCap;
    private final WorkBudget shared;

    /**
     * @param deflate the agreed permessage-deflate parameters, or null without the extension
     * @param overCap run each time the peer goes over the cap ({@link #CAP_EVENTS}), or all peers over {@code shared},
     *                and its read loop sleeps
     * @param shared  the budget every session of the server charges ({@link WsEndpoints#SHARED_EVENTS_PER_SECOND})
     */
    WsSession(Http1Upgrade upgrade, WsEndpoint endpoint, WsLimits limits, Duration idle,
              PerMessageDeflate.Agreement deflate, DeflateEvents deflateEvents, Runnable overCap, WorkBudget shared) {
        this.upgrade = upgrade;
        this.connection = new WsConnection(upgrade, deflate == null ? null : MessageDeflater.server(deflate, deflateEvents));
        this.endpoint = endpoint;
        // Every connection's large messages share the JVM's budget (MessageBudget): past it, 1013, not an OOM.
        this.assembler = (deflate == null ? WsMessageAssembler.server(limits)
                : WsMessageAssembler.server(limits, deflate, deflateEvents)).budget(MessageBudget.JVM);
        this.idle = idle;
        this.overCap = overCap;
        this.shared = shared;
    }

    /**
     * One platform timer for every session's heartbeat: a parked virtual thread per connection would cost its stack
     * (~2.5 KB measured) on every idle connection. A tick only starts a short-lived virtual thread to send the Ping,
     * so a peer whose socket buffer is full blocks that thread, never the timer.
     */
    private static final ScheduledExecutorService HEARTBEATS = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "ws-heartbeats");
        t.setDaemon(true);
        return t;
    });

    /** Runs until the connection ends; never throws for what the peer does. */
    void run() {
        int code = WsCloseCodes.ABNORMAL_CLOSURE;
        long period = idle.toNanos();
        ScheduledFuture<?> heartbeat = HEARTBEATS.scheduleAtFixedRate(
                () -> Thread.ofVirtual().name("ws-ping").start(this::ping), period, period, TimeUnit.NANOSECONDS);
        try {
            endpoint.opened(connection);
            code = loop();
        } catch (IOException e) {
            // The peer vanished or a write stalled: 1006, nothing to send.
        } finally {
            heartbeat.cancel(false);
            try {
                endpoint.closed(connection, code);
            } finally {
                // Deflater/Inflater native memory is not reclaimed by the GC in time: free it now, every path.
                connection.end();
                assembler.end();
            }
        }
    }

    private void ping() {
        try {
            if (!connection.closeSent()) connection.send(WsOpcode.PING, ByteBuffer.allocate(0));
        } catch (IOException e) {
            // the connection is gone: the read loop notices on its own
        }
    }

    private int loop() throws IOException {
        ByteBuffer in = ByteBuffer.allocate(INITIAL_READ_BUFFER);
        boolean filled = false;
        Duration deadPeer = idle.multipliedBy(2);
        WorkCap cap = new WorkCap(CAP_EVENTS, CAP_WINDOW, shared);
        while (true) {
            in.flip();
            try {
                for (WsEvent e; (e = assembler.next(in)) != null; chargeFragments(cap)) {
                    switch (e) {
                        case WsEvent.Ping p -> connection.send(WsOpcode.PONG, p.payload());
                        case WsEvent.Pong p -> { } // alive; any byte read already proved it
                        case WsEvent.Close c -> {
                            connection.close(c.replyCode(), c.reason());
                            return c.code();
                        }
                        case WsEvent.Text t -> endpoint.message(connection, t);
                        case WsEvent.Binary b -> endpoint.message(connection, b);
                    }
                    if (cap.tick()) overCap.run();
                }
                chargeFragments(cap);
            } catch (WsCloseException violation) {
                connection.close(violation.closeCode(), violation.closeReason());
                awaitPeerClose();
                return violation.closeCode();
            }
            in.compact();
            if (filled && in.capacity() < READ_BUFFER) {
                in = ByteBuffer.allocate(READ_BUFFER).put(in.flip()); // a busy peer: the full-size buffer from now on
            }
            int n;
            try {
                n = upgrade.read(in, deadPeer);
            } catch (InterruptedByTimeoutException silent) {
                return WsCloseCodes.ABNORMAL_CLOSURE; // two heartbeats unanswered: dead peer, TCP dropped
            }
            if (n < 0) return WsCloseCodes.ABNORMAL_CLOSURE;
            filled = !in.hasRemaining();
        }
    }

    /** Ticks {@code cap} once per fragment the assembler absorbed since the last charge. */
    private void chargeFragments(WorkCap cap) {
        for (int n = assembler.takeFragments(); n > 0; n--) {
            if (cap.tick()) overCap.run();
        }
    }

    /** After our Close: read (and discard) until the peer's Close or EOF, bounded by {@link #CLOSE_TIMEOUT}. */
    private void awaitPeerClose() {
        long deadline = System.nanoTime() + CLOSE_TIMEOUT.toNanos();
        ByteBuffer scratch = ByteBuffer.allocate(1024);
        try {
            while (System.nanoTime() < deadline) {
                scratch.clear();
                if (upgrade.read(scratch, Duration.ofNanos(Math.max(1, deadline - System.nanoTime()))) < 0) return;
            }
        } catch (IOException e) {
            // timeout or reset: either way we are done
        }
    }
}
