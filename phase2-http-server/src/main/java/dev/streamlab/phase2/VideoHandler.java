package dev.streamlab.phase2;

import dev.streamlab.catalog.VideoEntry;
import dev.streamlab.http.io.BodyStrategy;
import dev.streamlab.http.io.ByteProvenance;
import dev.streamlab.http.io.OpenFile;
import dev.streamlab.http.range.MultipartByteranges;
import dev.streamlab.http.range.RangeRequest;
import dev.streamlab.http.range.Representation;
import dev.streamlab.http.range.ResponsePlan;
import dev.streamlab.http.range.Validators;
import dev.streamlab.shared.io.MediaFiles;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;

/**
 * {@code GET|HEAD /videos/{id}}: the MP4 with RFC 9110 range and conditional semantics (decided by
 * {@link RangeRequest#plan}, shared with phase 3), the body written by the configured {@link BodyStrategy}.
 */
final class VideoHandler {
    private final BodyStrategy strategy;
    private final ByteProvenance provenance;
    private final ServerMetrics metrics;
    private final StallWatchdog watchdog;

    VideoHandler(BodyStrategy strategy, ByteProvenance provenance, ServerMetrics metrics, StallWatchdog watchdog) {
        this.strategy = strategy;
        this.provenance = provenance;
        this.metrics = metrics;
        this.watchdog = watchdog;
    }

    void serve(Call c, VideoEntry entry) throws IOException {
        FileChannel channel;
        BasicFileAttributes now;
        try {
            // Not a plain open: the catalog's listing may be a second old, and the path may now be a FIFO (an open
            // that blocks for good) or a link loop (MediaFiles). Its one stat also gives the time and identity below.
            now = Files.readAttributes(entry.file(), BasicFileAttributes.class);
            channel = MediaFiles.openForReading(entry.file(), now);
        } catch (FileSystemException e) {
            // Not an IOException for handle() to take for a client that hung up: this client is waiting for an answer.
            c.error(404, "video '" + entry.id() + "' " + MediaFiles.whyUnavailable(e));
            return;
        }
        try (channel) {
            // Size and time from now, not from the catalog: the file may have changed since it was listed.
            long size = channel.size();
            FileTime mtime = now.lastModifiedTime();
            OpenFile file = new OpenFile(entry.file(), channel, size, mtime.toMillis(), now.fileKey());
            Representation rep = new Representation(size, "video/mp4", Validators.forFile(size, mtime));
            ResponsePlan plan = RangeRequest.plan(c.method(), c::header, rep);
            countRange(c, plan);
            for (ResponsePlan.Header h : plan.headers()) c.setHeader(h.name(), h.value());
            c.setHeader("Cache-Control", "no-cache"); // revalidate with the ETag: cheap, and never stale
            c.sendHeaders(plan.status(), Math.max(0, plan.contentLength()));
            if (c.head() || plan.contentLength() <= 0) return;

            // Not try-with-resources: see Call.closeBody for why a failed response must not close its stream.
            OutputStream out = new Body(c, watchdog.watch(c.exchange.getResponseBody()));
            try {
                switch (plan) {
                    case ResponsePlan.Whole w -> strategy.send(file, 0, size, out, provenance);
                    case ResponsePlan.Single s -> strategy.send(file, s.range().start(), s.range().length(), out,
                            provenance);
                    case ResponsePlan.Multi m -> multipart(file, m.body(), out);
                    default -> throw new IllegalStateException("a " + plan.status() + " has no body");
                }
                out.close();
            } finally {
                metrics.videoBytes.labels(entry.id()).add(c.bodyBytes);
            }
        }
    }

    /** RFC 9110 §14.6: each part is its header block, then the file region; then the close delimiter. */
    private void multipart(OpenFile file, MultipartByteranges body, OutputStream out) throws IOException {
        for (MultipartByteranges.Part part : body.parts()) {
            writeAscii(out, part.header());
            strategy.send(file, part.range().start(), part.range().length(), out, provenance);
        }
        writeAscii(out, body.closeDelimiter());
    }

    private static void writeAscii(OutputStream out, ByteBuffer bytes) throws IOException {
        byte[] a = new byte[bytes.remaining()];
        bytes.duplicate().get(a);
        out.write(a);
    }

    private void countRange(Call c, ResponsePlan plan) {
        if (c.header("Range") == null) return;
        String outcome = plan.rangeOutcome();
        c.note = "range=" + outcome;
        metrics.rangeRequests.labels(outcome).increment();
    }

    /** Counts body bytes and marks the first one, for the access log and the TTFB histogram. */
    private static final class Body extends FilterOutputStream {
        private final Call call;

        Body(Call call, OutputStream out) {
            super(out);
            this.call = call;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            if (call.firstByteNanos == 0) call.firstByteNanos = System.nanoTime();
            call.bodyBytes += len;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }
    }
}
