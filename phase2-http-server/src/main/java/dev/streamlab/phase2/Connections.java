package dev.streamlab.phase2;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Open-connection estimate and in-flight requests.
 *
 * <p>{@code com.sun.net.httpserver} has no connection callbacks, but a keep-alive connection keeps its remote
 * address (ip:port) for its whole life, and the server closes connections idle for longer than its idle interval.
 * So "remote addresses seen within the idle interval" is a fair estimate of open connections; it over-counts
 * clients that hung up early, never under-counts.
 */
final class Connections {
    private static final int MAX_TRACKED = 100_000;

    private final long idleNanos;
    private final Map<InetSocketAddress, Long> lastSeen = new ConcurrentHashMap<>();
    private final AtomicInteger active = new AtomicInteger();

    Connections(long idleMillis) {
        this.idleNanos = idleMillis * 1_000_000L;
    }

    void started(InetSocketAddress remote) {
        active.incrementAndGet();
        if (lastSeen.size() >= MAX_TRACKED) prune(System.nanoTime());
        if (remote != null && lastSeen.size() < MAX_TRACKED) lastSeen.put(remote, System.nanoTime());
    }

    void finished(InetSocketAddress remote) {
        active.decrementAndGet();
        if (remote != null && lastSeen.containsKey(remote)) lastSeen.put(remote, System.nanoTime());
    }

    int active() {
        return active.get();
    }

    int open() {
        prune(System.nanoTime());
        return lastSeen.size();
    }

    private void prune(long now) {
        lastSeen.values().removeIf(t -> now - t > idleNanos);
    }
}
