package dev.streamlab.websocket.hub;

import dev.streamlab.http1.UpgradeHandler;
import dev.streamlab.phase3.Phase3Server;
import dev.streamlab.phase3.SampleServer;
import dev.streamlab.websocket.WsHandshake;
import dev.streamlab.websocket.WsLimits;
import dev.streamlab.websocket.server.WsEndpoints;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/** A phase 3 server whose {@code /ws/topic/} goes to a test's hub, wired as Phase3Main wires it; test messages. */
final class HubTestServer {
    /** Bytes before the fill: an 8-byte sequence number and a "marked" byte. */
    static final int HEADER = 9;

    private HubTestServer() {}

    static Phase3Server start() throws IOException {
        return SampleServer.start();
    }

    /** What Phase3Main registers, for {@code hub}. */
    static UpgradeHandler topics(Hub hub) {
        return new WsEndpoints(WsHandshake.sameOrigin(), WsLimits.DEFAULT, Duration.ofSeconds(30))
                .registerPrefix(TopicEndpoint.PREFIX, TopicEndpoint.factory(hub));
    }

    /**
     * Test message {@code seq}: {@code size} bytes (at least {@link #HEADER}) in a direct buffer — the sequence
     * number, the mark, then {@code (byte) seq} repeated, which the client checks to the last byte.
     */
    static HubMessage message(long seq, int size, boolean marked) {
        ByteBuffer b = ByteBuffer.allocateDirect(size);
        b.putLong(seq).put((byte) (marked ? 1 : 0));
        while (b.hasRemaining()) b.put((byte) seq);
        return HubMessage.binary(b.flip(), marked);
    }

    /** {@link dev.streamlab.testing.Await#until} with this package's argument order; returns whether it held. */
    static boolean await(BooleanSupplier done, Duration timeout) throws InterruptedException {
        try {
            return dev.streamlab.testing.Await.until(timeout, done::getAsBoolean);
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("a BooleanSupplier cannot throw a checked exception", e);
        }
    }
}
