package dev.streamlab.bench;

import dev.streamlab.websocket.hub.Hub;
import dev.streamlab.websocket.hub.HubMessage;
import dev.streamlab.websocket.hub.HubSink;
import dev.streamlab.websocket.hub.QueuePolicy;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/*
 * Issue 4's question: what does it cost to publish one message to N subscribers, and does that cost grow with the
 * message's size?
 *
 * One op publishes one message of `payloadBytes` (a direct buffer, as a server-side publisher holds it) to
 * `subscribers` in-memory subscribers (no sockets) and waits until every one of them has it. Each subscriber is a
 * real hub subscription — a bounded queue and its own virtual sender thread — whose sink keeps the view it is handed
 * (so the view escapes, as it does into a socket write, and the JIT cannot scalar-replace it).
 *   baseline   builds the message and publishes it to a topic nobody follows: the message object and the lookup;
 *   naiveCopy  what a hub without views does: copies the payload into a new heap buffer for each subscriber and
 *              publishes each copy to that subscriber alone (one topic per subscriber, same queues, same threads);
 *   views      Hub.publish: one message; each subscriber's sender takes a duplicate() of the one buffer.
 *
 * Read gc.alloc.rate.norm: bytes allocated per op by all threads, the senders' included (JMH reads
 * getTotalThreadAllocatedBytes; a virtual thread allocates on its carrier). naiveCopy allocates payloadBytes per
 * subscriber; views a small constant per subscriber (the view, the sender's park and wake-up), the same for 1 KiB as
 * for 64 KiB. The time per op is the fan-out's latency: the publish plus N sender threads waking up to take it.
 *
 * How to run (full, ~4 min): scripts/bench.sh phase3-hub  (-> phase3-websocket/bench-results/phase3-hub.md), or
 *   JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 mvn -q -pl phase3-websocket -am test-compile \
 *       dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
 *   cd phase3-websocket && $JAVA_HOME/bin/java -cp target/test-classes:target/classes:$(cat target/test-classpath.txt) \
 *       org.openjdk.jmh.Main -f 1 -wi 3 -i 5 -w 1s -r 1s -prof gc HubFanoutBenchmark
 * `mvn verify` smoke-runs it briefly.
 *
 * Measured (2-core VM, JDK 25.0.3, scripts/bench.sh phase3-hub, bench-results/phase3-hub.md; bytes per op):
 *   subscribers   naiveCopy 64 KiB   views 64 KiB   views 1 KiB   naiveCopy ÷ views (64 KiB)
 *        1              65 752            280            280          235×
 *       10             657 527          1 432          1 433          459×
 *      100           6 575 534         12 958         12 963          507×
 *    1 000          65 806 534        128 367        128 752          513×
 * views: ~150 B per publish plus ~128 B per subscriber (its view, its sender's wait node and wake-up), the same for
 * 1 KiB and 64 KiB; naiveCopy: the payload plus ~220 B per subscriber. Time per op is noisy on 2 shared cores; in
 * that run, 1,000 subscribers took ~0.84 ms per message with views against ~17.8 ms with copies of 64 KiB (with
 * 1 KiB copies, ~0.94 ms: then waking 1,000 sender threads, not copying, is the cost).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class HubFanoutBenchmark {
    @Param({"1", "10", "100", "1000"})
    public int subscribers;

    @Param({"1024", "65536"})
    public int payloadBytes;

    /** Deliveries so far, all subscribers: an op ends when it has grown by {@link #subscribers}. */
    private final AtomicLong delivered = new AtomicLong();
    private Hub hub;
    private ByteBuffer payload;
    private String[] ownTopics; // naiveCopy: one topic per subscriber

    /** An in-memory subscriber: keeps the last view it was handed, counts the delivery. */
    final class Sink implements HubSink {
        volatile ByteBuffer last;

        @Override
        public void deliver(HubMessage message, ByteBuffer view) {
            last = view;
            delivered.incrementAndGet();
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        payload = ByteBuffer.allocateDirect(payloadBytes);
        for (int i = 0; i < payloadBytes; i++) payload.put(i, (byte) (i * 31));
        hub = new Hub();
        ownTopics = new String[subscribers];
        for (int i = 0; i < subscribers; i++) {
            hub.subscribe("all", new Sink(), QueuePolicy.dropOldest(4));
            ownTopics[i] = "own-" + i;
            hub.subscribe(ownTopics[i], new Sink(), QueuePolicy.dropOldest(4));
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        hub.close();
    }

    /** Waits until every subscriber has the message just published (the publisher never waits inside the hub). */
    private int awaitAll(long target, int published) {
        while (delivered.get() < target) Thread.yield();
        return published;
    }

    @Benchmark
    public int baseline() {
        return hub.publish("nobody", HubMessage.binary(payload, false));
    }

    @Benchmark
    public int naiveCopy() {
        long target = delivered.get() + subscribers;
        int n = 0;
        for (String topic : ownTopics) {
            ByteBuffer copy = ByteBuffer.allocate(payloadBytes).put(payload.duplicate()).flip();
            n += hub.publish(topic, HubMessage.binary(copy, false));
        }
        return awaitAll(target, n);
    }

    @Benchmark
    public int views() {
        long target = delivered.get() + subscribers;
        return awaitAll(target, hub.publish("all", HubMessage.binary(payload, false)));
    }
}
