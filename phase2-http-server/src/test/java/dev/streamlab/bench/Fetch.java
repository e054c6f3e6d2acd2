package dev.streamlab.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * One GET whose body is counted and dropped, never copied into an array: the load generator must cost as little
 * CPU as it can, since it shares the machine's cores with the server it measures.
 *
 * <p>A response is correct when it has the expected status (206 for a range, 200 for a whole file), for a range
 * the exact {@code Content-Range}, and exactly the expected number of body bytes. A server that ignores Range
 * (jwebserver) answers 200 with the whole file: the body is then read only up to the number of bytes asked for
 * and the connection is dropped (a real client that wanted 64 KiB would do the same), and the request counts as
 * failed. That keeps a 1 GiB answer to a 64 KiB question from stalling the test.
 */
final class Fetch {
    /** Longest wait for response headers (HttpRequest.timeout); body reads are bounded by the scenario's end. */
    static final Duration HEADERS_TIMEOUT = Duration.ofSeconds(10);

    /**
     * @param status       HTTP status, or 0 when no response came
     * @param bytes        body bytes received
     * @param ttfbNanos    from sending the request to the first body byte (to the end, for an empty body)
     * @param ok           everything as expected
     * @param problem      why not, or null
     */
    record Result(int status, long bytes, long ttfbNanos, boolean ok, String problem) {}

    /** Adds to a running byte count as body bytes arrive (the bulk download's throughput). */
    interface Progress {
        void bytes(long n);
    }

    private Fetch() {}

    /**
     * Fetches {@code [start, start + length)} of a {@code total}-byte file with a Range header, or the whole file
     * without one when {@code start < 0}.
     */
    static Result get(HttpClient client, URI uri, long start, long length, long total, Progress progress) {
        boolean range = start >= 0;
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(HEADERS_TIMEOUT).GET();
        if (range) b.header("Range", "bytes=" + start + "-" + (start + length - 1));
        int wantStatus = range ? 206 : 200;
        long want = range ? length : total;
        String wantRange = range ? "bytes " + start + "-" + (start + length - 1) + "/" + total : null;
        long sent = System.nanoTime();
        Counting[] body = new Counting[1];
        try {
            HttpResponse<Long> r = client.send(b.build(), info -> {
                boolean right = info.statusCode() == wantStatus && (wantRange == null
                        || wantRange.equals(info.headers().firstValue("content-range").orElse(null)));
                body[0] = new Counting(want, right, progress);
                return body[0];
            });
            Counting c = body[0];
            long ttfb = (c.firstByteNanos != 0 ? c.firstByteNanos : System.nanoTime()) - sent;
            String problem = null;
            if (r.statusCode() != wantStatus) {
                problem = "status " + r.statusCode() + " (wanted " + wantStatus + ")";
            } else if (!c.rightHead) {
                problem = "Content-Range " + r.headers().firstValue("content-range").orElse("missing");
            } else if (c.cut || r.body() != want) {
                problem = (c.cut ? "more than " : "") + r.body() + " body bytes (wanted " + want + ")";
            }
            return new Result(r.statusCode(), r.body(), ttfb, problem == null, problem);
        } catch (IOException e) {
            long got = body[0] == null ? 0 : body[0].bytes;
            return new Result(0, got, System.nanoTime() - sent, false, e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(0, 0, System.nanoTime() - sent, false, "interrupted");
        }
    }

    /** Counts body bytes; cuts the body off at {@code cap} bytes when the head was wrong, or past it anyway. */
    private static final class Counting implements HttpResponse.BodySubscriber<Long> {
        private final long cap;
        private final boolean rightHead;
        private final Progress progress;
        private final CompletableFuture<Long> done = new CompletableFuture<>();
        private Flow.Subscription subscription;
        private volatile long firstByteNanos;
        private volatile long bytes;
        private volatile boolean cut;

        Counting(long cap, boolean rightHead, Progress progress) {
            this.cap = cap;
            this.rightHead = rightHead;
            this.progress = progress;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE); // we drop every buffer at once, so there is nothing to push back against
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            if (done.isDone()) return;
            long n = 0;
            for (ByteBuffer item : items) n += item.remaining();
            if (n > 0 && firstByteNanos == 0) firstByteNanos = System.nanoTime();
            bytes += n; // onNext calls are serial (Flow's rule 1.3)
            if (progress != null) progress.bytes(n);
            if (bytes > cap || (!rightHead && bytes >= cap)) {
                cut = bytes > cap || !rightHead;
                subscription.cancel(); // the client closes this connection instead of reading the rest
                done.complete(bytes);
            }
        }

        @Override
        public void onError(Throwable t) {
            done.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            done.complete(bytes);
        }

        @Override
        public CompletionStage<Long> getBody() {
            return done;
        }
    }
}
