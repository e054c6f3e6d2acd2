package dev.streamlab.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * What the clients do, identically for every server: the same seeds give the same offsets in the same order.
 * Each client loop runs on its own virtual thread and stops at the scenario's end or when the scenario's request
 * budget is spent, whichever comes first.
 */
sealed interface Workload permits Workload.Ranges, Workload.Viewers {
    /** Short id for files and the CSV. */
    String key();

    /** The scenario as the table heads it. */
    String title();

    /**
     * Starts the client threads, worker {@code i} on {@code clients.get(i % clients.size())}; they record into
     * {@code tally} and stop by {@code endNanos}.
     */
    List<Thread> start(ServerUnderTest server, List<HttpClient> clients, Tally tally, long endNanos,
                       AtomicLong budget);

    /**
     * Closed loop: {@code connections} clients, each sending its next request as soon as the previous one ends.
     * {@code rangeSize > 0}: {@code bytes=a-b} at a uniformly random offset; {@code rangeSize == 0}: the whole
     * file, no Range header, its bytes also counted as they arrive ({@link Tally#bulkBytes}), so a download cut by
     * the window's edges still counts what arrived inside it.
     */
    record Ranges(String key, String title, String videoId, long fileSize, int rangeSize, int connections,
                  long seed) implements Workload {
        @Override
        public List<Thread> start(ServerUnderTest server, List<HttpClient> clients, Tally tally, long endNanos,
                                  AtomicLong budget) {
            URI uri = server.video(videoId);
            List<Thread> threads = new ArrayList<>();
            for (int c = 0; c < connections; c++) {
                HttpClient client = clients.get(c % clients.size());
                SplittableRandom random = new SplittableRandom(seed * 1_000_003 + c);
                threads.add(Thread.ofVirtual().name("ranges-" + c).start(() -> {
                    while (System.nanoTime() < endNanos && budget.getAndDecrement() > 0) {
                        long start = rangeSize > 0 ? random.nextLong(fileSize - rangeSize + 1) : -1;
                        Fetch.Result r = Fetch.get(client, uri, start, rangeSize, fileSize,
                                rangeSize > 0 ? null : tally::bulkBytes);
                        tally.request(System.nanoTime(), r);
                        if (r.status() == 0) LockSupport.parkNanos(1_000_000); // no answer at all: don't spin
                    }
                }));
            }
            return threads;
        }
    }

    /**
     * {@code viewers} players fetching {@code chunkSize} ranges one ahead of playback
     * at {@code bitsPerSecond}, and, concurrently when {@code bulk}, one client downloading the whole file again and
     * again as fast as it can.
     *
     * <p>A player's model: it starts at a random offset; when the first chunk arrives playback starts; chunk
     * {@code k} is requested when chunk {@code k-1} starts playing and is due when chunk {@code k-1} has played,
     * {@code chunkSize * 8 / bitsPerSecond} seconds later. A chunk that arrives after its due time is a stall (and
     * playback resumes from its arrival: the schedule shifts by the lateness); a failed chunk is a stall too, and
     * the player goes on to the next chunk on the same schedule (so every server gets the same paced load).
     * After each chunk, with probability {@code seekProbability}, the player seeks: it jumps to a random offset and
     * starts over as at startup (no deadline for that first chunk). Viewers start spread over the first second.
     */
    record Viewers(String key, String title, String videoId, long fileSize, int viewers, int chunkSize,
                   long bitsPerSecond, double seekProbability, boolean bulk, long seed) implements Workload {
        long chunkNanos() {
            return chunkSize * 8L * 1_000_000_000L / bitsPerSecond;
        }

        @Override
        public List<Thread> start(ServerUnderTest server, List<HttpClient> clients, Tally tally, long endNanos,
                                  AtomicLong budget) {
            URI uri = server.video(videoId);
            List<Thread> threads = new ArrayList<>();
            for (int v = 0; v < viewers; v++) {
                HttpClient client = clients.get(v % clients.size());
                SplittableRandom random = new SplittableRandom(seed * 1_000_003 + v);
                threads.add(Thread.ofVirtual().name("viewer-" + v).start(
                        () -> watch(client, uri, random, tally, endNanos, budget)));
            }
            if (bulk) {
                HttpClient client = clients.get(viewers % clients.size());
                threads.add(Thread.ofVirtual().name("bulk").start(() -> {
                    while (System.nanoTime() < endNanos && budget.getAndDecrement() > 0) {
                        Fetch.Result r = Fetch.get(client, uri, -1, 0, fileSize, tally::bulkBytes);
                        if (r.ok()) tally.bulkDone(System.nanoTime());
                        if (r.status() == 0) LockSupport.parkNanos(1_000_000);
                    }
                }));
            }
            return threads;
        }

        private void watch(HttpClient client, URI uri, SplittableRandom random, Tally tally, long endNanos,
                           AtomicLong budget) {
            long period = chunkNanos();
            sleepUntil(System.nanoTime() + random.nextLong(1_000_000_000L), endNanos);
            long chunks = fileSize / chunkSize;
            long chunk = random.nextLong(chunks);
            long playStart = 0; // when chunk 0 of the current run started playing
            long k = -1; // index of the next chunk in the current run; -1: starting (or after a seek)
            while (System.nanoTime() < endNanos && budget.getAndDecrement() > 0) {
                if (k > 0) sleepUntil(playStart + (k - 1) * period, endNanos); // one chunk ahead of playback
                if (System.nanoTime() >= endNanos) break;
                Fetch.Result r = Fetch.get(client, uri, chunk * chunkSize, chunkSize, fileSize, null);
                long arrived = System.nanoTime();
                tally.request(arrived, r);
                if (k < 0) {
                    if (!r.ok()) tally.stall(arrived); // could not even start
                    playStart = arrived;
                    k = 1;
                } else {
                    long due = playStart + k * period;
                    if (!r.ok() || arrived > due) {
                        tally.stall(arrived);
                        playStart += Math.max(0, arrived - due); // rebuffered: playback resumes now
                    }
                    k++;
                }
                if (r.status() == 0) LockSupport.parkNanos(1_000_000);
                chunk = (chunk + 1) % chunks;
                if (random.nextDouble() < seekProbability) {
                    tally.seek(arrived);
                    chunk = random.nextLong(chunks);
                    k = -1;
                }
            }
        }

        private static void sleepUntil(long nanos, long endNanos) {
            long now;
            while ((now = System.nanoTime()) < Math.min(nanos, endNanos)) {
                LockSupport.parkNanos(Math.min(nanos, endNanos) - now);
            }
        }
    }
}
