package dev.streamlab.bench;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the clients saw during the measured window {@code [from, to)} (System.nanoTime): requests are counted when
 * they complete inside it, so warm-up traffic and requests cut off by the end are left out. Thread-safe.
 */
final class Tally {
    private static final int MAX_PROBLEM_KINDS = 8;

    private final long from;
    private final long to;
    private long requests;
    private long failed;
    private long bytes;
    private long[] ttfb = new long[4096];
    private int samples;
    private long stalls;
    private long seeks;
    private long bulkDownloads;
    private final LongAdder bulkBytes = new LongAdder();
    private final Map<String, Long> problems = new TreeMap<>();

    Tally(long from, long to) {
        this.from = from;
        this.to = to;
    }

    long from() {
        return from;
    }

    long to() {
        return to;
    }

    boolean inWindow(long nanos) {
        return nanos >= from && nanos < to;
    }

    /** A request that completed at {@code doneNanos}. */
    synchronized void request(long doneNanos, Fetch.Result r) {
        if (!inWindow(doneNanos)) return;
        requests++;
        bytes += r.bytes();
        if (!r.ok()) {
            failed++;
            if (problems.size() < MAX_PROBLEM_KINDS || problems.containsKey(r.problem())) {
                problems.merge(r.problem(), 1L, Long::sum);
            }
        }
        if (r.status() != 0) {
            if (samples == ttfb.length) ttfb = Arrays.copyOf(ttfb, samples * 2);
            ttfb[samples++] = r.ttfbNanos();
        }
    }

    synchronized void stall(long nanos) {
        if (inWindow(nanos)) stalls++;
    }

    synchronized void seek(long nanos) {
        if (inWindow(nanos)) seeks++;
    }

    synchronized void bulkDone(long nanos) {
        if (inWindow(nanos)) bulkDownloads++;
    }

    /** Bulk-download body bytes as they arrive (so a download still running at the end counts what it got). */
    void bulkBytes(long n) {
        if (inWindow(System.nanoTime())) bulkBytes.add(n);
    }

    synchronized Summary summary() {
        long[] sorted = Arrays.copyOf(ttfb, samples);
        Arrays.sort(sorted);
        return new Summary(requests, failed, bytes, percentileMillis(sorted, 0.50), percentileMillis(sorted, 0.99),
                stalls, seeks, bulkBytes.sum(), bulkDownloads, Map.copyOf(problems));
    }

    /** Nearest-rank percentile in milliseconds; NaN without samples. */
    static double percentileMillis(long[] sorted, double p) {
        if (sorted.length == 0) return Double.NaN;
        int rank = (int) Math.ceil(p * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))] / 1e6;
    }

    /**
     * @param requests      requests completed in the window (correct or not)
     * @param failed        of which wrong or failed
     * @param bytes         body bytes those requests received
     * @param ttfbP50Ms     median time to first body byte
     * @param ttfbP99Ms     99th percentile of it
     * @param stalls        viewer chunks that missed their playback deadline (or failed)
     * @param seeks         viewer seeks
     * @param bulkBytes     bulk-download bytes received in the window
     * @param bulkDownloads bulk downloads completed in the window
     * @param problems      failures by kind (at most a few kinds)
     */
    record Summary(long requests, long failed, long bytes, double ttfbP50Ms, double ttfbP99Ms, long stalls,
                   long seeks, long bulkBytes, long bulkDownloads, Map<String, Long> problems) {}
}
