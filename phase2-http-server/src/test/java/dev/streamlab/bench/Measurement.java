package dev.streamlab.bench;

import java.io.IOException;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * One scenario against one server: a warm-up, then a measured window bracketed by two snapshots of the server's
 * counters, then every client shut down.
 *
 * @param server      the server's name
 * @param workload    the scenario
 * @param round       which round of the run (1-based)
 * @param clients     what the clients saw in the window
 * @param seconds     the window's length
 * @param before      the server's counters at the window's start
 * @param after       and at its end
 * @param clientCpu   CPU seconds this JVM (the load generator) used in the window
 * @param unavailable why the server could not be measured, or null
 */
record Measurement(String server, Workload workload, int round, Tally.Summary clients, double seconds,
                   ServerUnderTest.Snapshot before, ServerUnderTest.Snapshot after, double clientCpu,
                   String unavailable) {

    /**
     * Runs {@code workload} against {@code server} for {@code warmup + measure}, at most {@code maxRequests}
     * requests in all, with {@code httpClients} HttpClients shared round-robin by the workload's connections.
     *
     * <p>Why shared: an HttpClient has one selector thread; one client per connection (50 selector threads handing
     * every response over to a virtual thread) measured 40–60% fewer requests per second against nginx than one or
     * two shared clients on these 2 cores. A shared client opens a connection for each request in flight that finds none idle,
     * so 50 closed-loop workers keep at most 50 connections open, reused request after request.
     */
    static Measurement run(ServerUnderTest server, Workload workload, Duration warmup, Duration measure,
                           long maxRequests, int httpClients) throws IOException, InterruptedException {
        long from = System.nanoTime() + warmup.toNanos();
        long to = from + measure.toNanos();
        Tally tally = new Tally(from, to);
        List<HttpClient> clients = new ArrayList<>();
        for (int i = 0; i < httpClients; i++) clients.add(client());
        List<Thread> threads = List.of();
        try {
            threads = workload.start(server, clients, tally, to, new AtomicLong(maxRequests));
            sleepUntil(from);
            ServerUnderTest.Snapshot before = server.snapshot();
            double cpu0 = ProcStats.selfCpuSeconds();
            sleepUntil(to);
            ServerUnderTest.Snapshot after = server.snapshot();
            double cpu1 = ProcStats.selfCpuSeconds();
            return new Measurement(server.name(), workload, 1, tally.summary(), measure.toNanos() / 1e9, before,
                    after, cpu1 - cpu0, null);
        } finally {
            stop(clients, threads);
        }
    }

    static Measurement unavailable(String server, Workload workload, String why) {
        return new Measurement(server, workload, 1, null, 0, ServerUnderTest.Snapshot.NONE,
                ServerUnderTest.Snapshot.NONE, Double.NaN, why);
    }

    Measurement inRound(int r) {
        return new Measurement(server, workload, r, clients, seconds, before, after, clientCpu, unavailable);
    }

    /** The figure rounds are ranked by: req/s for closed loops, viewers' TTFB p99 for the paced scenario. */
    double headline() {
        if (!measured()) return Double.NaN;
        return workload instanceof Workload.Viewers ? clients.ttfbP99Ms() : requestsPerSecond();
    }

    /** HTTP/1.1 (no h2c upgrade attempt), its internal tasks on virtual threads. */
    static HttpClient client() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5))
                .executor(Executors.newVirtualThreadPerTaskExecutor()).build();
    }

    /** Aborts whatever is still in flight (a body still arriving at the end) and waits, boundedly, for the threads. */
    private static void stop(List<HttpClient> clients, List<Thread> threads) throws InterruptedException {
        for (HttpClient c : clients) c.shutdownNow();
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        for (HttpClient c : clients) c.awaitTermination(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
        for (Thread t : threads) t.join(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
    }

    private static void sleepUntil(long nanos) {
        long now;
        while ((now = System.nanoTime()) < nanos) LockSupport.parkNanos(nanos - now);
    }

    boolean measured() {
        return unavailable == null;
    }

    double requestsPerSecond() {
        return clients.requests() / seconds;
    }

    /**
     * Body bytes received per second, in MB (10^6 bytes): of the requests completed in the window, or, for whole-file
     * downloads, as the bytes arrived in it (one 1 GiB download takes about a second: counting only completed ones
     * would round to whole gigabytes).
     */
    double megabytesPerSecond() {
        return bodyBytes() / seconds / 1e6;
    }

    /** Body bytes the clients received in the window: completed ranges, plus whole-file bytes as they arrived. */
    long bodyBytes() {
        return switch (workload) {
            case Workload.Viewers v -> clients.bytes() + clients.bulkBytes();
            case Workload.Ranges r -> r.rangeSize() == 0 ? clients.bulkBytes() : clients.bytes();
        };
    }

    /** One stream of whole-file downloads: judged per byte, not per request. */
    boolean bulk() {
        return workload instanceof Workload.Ranges r && r.rangeSize() == 0 && r.connections() == 1;
    }

    /** Server CPU seconds per GB (10^9 bytes) received by the clients. */
    double cpuSecondsPerGigabyte() {
        return bodyBytes() == 0 ? Double.NaN : serverCpuSeconds() / (bodyBytes() / 1e9);
    }

    double bulkMegabytesPerSecond() {
        return clients.bulkBytes() / seconds / 1e6;
    }

    double serverCpuSeconds() {
        return after.cpuSeconds() - before.cpuSeconds();
    }

    /** Server CPU per completed request, in microseconds. */
    double cpuMicrosPerRequest() {
        return clients.requests() == 0 ? Double.NaN : serverCpuSeconds() * 1e6 / clients.requests();
    }

    double peakRssMiB() {
        return after.peakRssKiB() < 0 ? Double.NaN : after.peakRssKiB() / 1024.0;
    }

    /** Private (anonymous) resident memory at the window's end. */
    double anonRssMiB() {
        return after.anonRssKiB() < 0 ? Double.NaN : after.anonRssKiB() / 1024.0;
    }

    /** Heap bytes the server allocated per completed request; NaN for servers that are not JVMs. */
    double allocatedBytesPerRequest() {
        if (after.allocatedBytes() < 0 || clients.requests() == 0) return Double.NaN;
        return (double) (after.allocatedBytes() - before.allocatedBytes()) / clients.requests();
    }

    /** Heap bytes the server allocated per MiB of body received by the clients (viewers and bulk together). */
    double allocatedBytesPerMiB() {
        long bytes = bodyBytes();
        if (after.allocatedBytes() < 0 || bytes == 0) return Double.NaN;
        return (after.allocatedBytes() - before.allocatedBytes()) / (bytes / (double) (1 << 20));
    }

    long gcs() {
        return after.gcCount() < 0 ? -1 : after.gcCount() - before.gcCount();
    }

    /** Phase 2's user-space copies per body byte sent in the window; NaN for other servers. */
    double copiesPerByte() {
        long sent = after.strategyBytes() - before.strategyBytes();
        if (after.strategyBytes() < 0 || sent <= 0) return Double.NaN;
        return (double) (after.copyBytes() - before.copyBytes()) / sent;
    }
}
