package dev.streamlab.http1;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * How an {@link Http1Server} runs.
 *
 * @param threads           a virtual thread per connection (the default), or a platform thread, for comparison
 * @param maxConnections    connections served at once; past this the server stops accepting and new clients wait
 *                          in the kernel's backlog. The default, 8,000, leaves room for two descriptors per
 *                          downloading connection (socket and file) under the 20,000 per-process limit here
 * @param requestTimeout    the most time a whole request (headers and body) may take to arrive; then 408
 * @param idleTimeout       how long a keep-alive connection may wait for its next request
 * @param writeStallTimeout the most time one write may make no progress before the connection is closed
 * @param limits            request line, header and body limits
 */
public record Http1Settings(Threads threads, int maxConnections, Duration requestTimeout, Duration idleTimeout,
                            Duration writeStallTimeout, Http1Parser.Limits limits) {
    /** Longer than any connection should wait for anything, and far below {@code Long.MAX_VALUE} nanoseconds. */
    public static final Duration MAX_TIMEOUT = Duration.ofDays(1);

    /** Virtual threads, 8,000 connections, 20 s per request, 30 s idle, 30 s write stall, default limits. */
    public static final Http1Settings DEFAULTS = new Http1Settings(Threads.VIRTUAL, 8_000, Duration.ofSeconds(20),
            Duration.ofSeconds(30), Duration.ofSeconds(30), Http1Parser.Limits.DEFAULT);

    /** One thread per connection, of which kind. */
    public enum Threads {
        VIRTUAL, PLATFORM;

        /** {@code virtual} or {@code platform}, as on the command line. */
        public static Threads parse(String s) {
            return switch (s.toLowerCase(Locale.ROOT)) {
                case "virtual" -> VIRTUAL;
                case "platform" -> PLATFORM;
                default -> throw new IllegalArgumentException("--threads must be virtual or platform, not '" + s + "'");
            };
        }
    }

    public Http1Settings {
        Objects.requireNonNull(threads, "threads");
        Objects.requireNonNull(limits, "limits");
        if (maxConnections < 1) throw new IllegalArgumentException("maxConnections must be > 0");
        for (Duration d : new Duration[] {requestTimeout, idleTimeout, writeStallTimeout}) {
            if (d == null || d.isNegative() || d.isZero()) throw new IllegalArgumentException("timeouts must be > 0");
            // Deadlines are System.nanoTime() arithmetic: a timeout past MAX_TIMEOUT would overflow, and would fail
            // every connection as it starts rather than the server here.
            if (d.compareTo(MAX_TIMEOUT) > 0) {
                throw new IllegalArgumentException("timeouts must be at most " + MAX_TIMEOUT + ", got " + d);
            }
        }
    }

    public Http1Settings withThreads(Threads t) {
        return new Http1Settings(t, maxConnections, requestTimeout, idleTimeout, writeStallTimeout, limits);
    }

    public Http1Settings withMaxConnections(int n) {
        return new Http1Settings(threads, n, requestTimeout, idleTimeout, writeStallTimeout, limits);
    }

    public Http1Settings withTimeouts(Duration request, Duration idle, Duration writeStall) {
        return new Http1Settings(threads, maxConnections, request, idle, writeStall, limits);
    }

    public Http1Settings withLimits(Http1Parser.Limits l) {
        return new Http1Settings(threads, maxConnections, requestTimeout, idleTimeout, writeStallTimeout, l);
    }
}
