package dev.streamlab.websocket.hub;

import static dev.streamlab.websocket.hub.HubTestServer.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/**
 * The hub's zero-copy claim, unit-level: every subscriber is handed a view of the publisher's own memory (a write to
 * the publisher's buffer shows through every view), and the bytes a publish allocates do not grow with the payload
 * ({@link com.sun.management.ThreadMXBean#getCurrentThreadAllocatedBytes()} on the publishing thread). Numbers go to
 * {@code target/surefire-reports/*-output.txt}; {@code HubFanoutBenchmark} measures the same with JMH, against a
 * copy per subscriber.
 */
class HubZeroCopyTest {
    static final Duration WAIT = Duration.ofSeconds(10);
    private static final com.sun.management.ThreadMXBean MX =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @Test
    void everySubscriberIsHandedAViewOfThePublishersOwnBytes() throws InterruptedException {
        for (boolean direct : new boolean[] {false, true}) {
            Hub hub = new Hub();
            List<GateSink> sinks = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                GateSink s = GateSink.open();
                sinks.add(s);
                hub.subscribe("t", s, QueuePolicy.DEFAULT);
            }
            ByteBuffer payload = direct ? ByteBuffer.allocateDirect(65536) : ByteBuffer.allocate(65536);
            for (int i = 0; i < payload.capacity(); i++) payload.put(i, (byte) i);
            hub.publish("t", HubMessage.binary(payload, true));
            for (GateSink s : sinks) assertTrue(await(() -> s.views.size() == 1, WAIT));

            Set<ByteBuffer> distinct = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
            for (GateSink s : sinks) {
                ByteBuffer v = s.views.get(0);
                assertNotSame(payload, v);
                assertTrue(distinct.add(v), "a view per subscriber, each with its own position");
                assertTrue(v.isReadOnly(), "no subscriber can scribble over the others' bytes");
                assertEquals(direct, v.isDirect());
                assertEquals(65536, v.remaining());
            }
            // Same memory, not equal copies: a write through the publisher's buffer shows in every view.
            payload.put(0, (byte) 0x5A).put(65535, (byte) 0x7E);
            for (GateSink s : sinks) {
                assertEquals(0x5A, s.views.get(0).get(0), (direct ? "direct" : "heap") + " view shares memory");
                assertEquals(0x7E, s.views.get(0).get(65535));
            }
            hub.close();
        }
    }

    @Test
    void bytesAllocatedPerPublishDoNotGrowWithThePayload() throws InterruptedException {
        int subscribers = 10;
        Hub hub = new Hub();
        LongAdder received = new LongAdder();
        for (int i = 0; i < subscribers; i++) {
            hub.subscribe("t", (m, view) -> received.add(view.remaining()), QueuePolicy.dropOldest(4096));
        }
        long small = 0;
        long big = 0;
        for (int round = 0; round < 3; round++) { // the first round warms up
            small = measure(hub, ByteBuffer.allocateDirect(1024));
            big = measure(hub, ByteBuffer.allocateDirect(1 << 20));
        }
        System.out.printf("publish to %d subscribers: %d bytes allocated per publish with 1 KiB, %d with 1 MiB%n",
                subscribers, small, big);
        // The message: its object, a slice and a read-only view (~150 B); per subscriber, a few stores into a ring.
        // A copy per subscriber would be 10 MiB per publish here.
        assertTrue(small < 1024, small + " B per publish of 1 KiB");
        assertTrue(big < 1024, big + " B per publish of 1 MiB");
        assertTrue(Math.abs(big - small) < 256, "grows with the payload: " + small + " → " + big);
        hub.close();
    }

    /** Bytes this thread allocates per publish of {@code payload}, averaged over 2,000 publishes. */
    private static long measure(Hub hub, ByteBuffer payload) {
        int n = 2000;
        long before = MX.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < n; i++) hub.publish("t", HubMessage.binary(payload, false));
        return (MX.getCurrentThreadAllocatedBytes() - before) / n;
    }
}
