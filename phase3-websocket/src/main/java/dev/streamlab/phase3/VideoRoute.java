package dev.streamlab.phase3;

import dev.streamlab.catalog.VideoEntry;
import dev.streamlab.http.io.ByteProvenance;
import dev.streamlab.http.range.MultipartByteranges;
import dev.streamlab.http.range.RangeRequest;
import dev.streamlab.http.range.Representation;
import dev.streamlab.http.range.ResponsePlan;
import dev.streamlab.shared.io.MediaFiles;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;

/**
 * {@code GET|HEAD /videos/{id}}: the MP4 with phase 2's RFC 9110 range and conditional semantics — the same
 * {@link RangeRequest#plan} decides every response — and the body sent with {@code FileChannel.transferTo}.
 *
 * <p><b>Copies per body byte, disk to socket: 0 in user space.</b> {@code transferTo} is {@code sendfile(2)}: page
 * cache to socket buffer inside the kernel. The exception is the fallback taken when the socket buffer is full on
 * a virtual thread ({@code transferTo} returns 0): one small chunk goes {@code read(2)} into a pooled direct buffer,
 * then {@code write(2)}, counted as 1 copy per byte. {@code /metrics} shows the totals
 * ({@code streamlab_http_userspace_copy_bytes_total}, {@code streamlab_http_copies_per_byte},
 * {@code streamlab_http_transferto_zero_returns_total}); {@code Http1Writer} has the details.
 *
 * <p>The file stays open across requests ({@link OpenFiles}): a request costs one {@code statx} of the path, not
 * {@code openat} + {@code statx} + {@code close}.
 *
 * <p>A multipart/byteranges body is written part by part: the part header (with the response head before the first
 * one) in one gathering write, then the file region with {@code transferTo}; the file bytes are never copied into
 * the multipart layout.
 */
final class VideoRoute {
    private final ByteProvenance provenance;
    private final Phase3Metrics metrics;
    private final OpenFiles files;

    VideoRoute(ByteProvenance provenance, Phase3Metrics metrics, OpenFiles files) {
        this.provenance = provenance;
        this.metrics = metrics;
        this.files = files;
    }

    void serve(Call c, VideoEntry entry) throws IOException {
        OpenFiles.Open open;
        try {
            // Size, time and validators from now, not from the catalog: the file may have changed since it was
            // listed. OpenFiles stats the path and reuses the channel while the file is unchanged.
            open = files.get(entry.file());
        } catch (FileSystemException e) {
            // Removed, or no longer a file that can be opened (a FIFO, a link loop) since the listing. Not an
            // IOException for the connection to take for a client gone: this client is waiting for an answer.
            c.ex.error(404, "video '" + entry.id() + "' " + MediaFiles.whyUnavailable(e));
            return;
        }
        try (open) { // the hold on the kept channel, given back when this response is done (OpenFiles)
            FileChannel file = open.channel();
            long size = open.size();
            Representation rep = new Representation(size, "video/mp4", open.validators());
            ResponsePlan plan = RangeRequest.plan(c.method(), c::header, rep);
            countRange(c, plan);
            for (ResponsePlan.Header h : plan.headers()) c.ex.header(h.name(), h.value());
            c.ex.header("Cache-Control", "no-cache"); // revalidate with the ETag: cheap, and never stale
            c.ex.sendHeaders(plan.status(), plan.contentLength());
            if (c.head() || plan.contentLength() <= 0) return;
            try {
                switch (plan) {
                    case ResponsePlan.Whole w -> c.ex.transferFrom(file, 0, size, provenance);
                    case ResponsePlan.Single s ->
                            c.ex.transferFrom(file, s.range().start(), s.range().length(), provenance);
                    case ResponsePlan.Multi m -> multipart(c, file, m.body());
                    default -> throw new IllegalStateException("a " + plan.status() + " has no body");
                }
            } finally {
                metrics.videoBytes.labels(entry.id()).add(c.ex.bodyBytes());
            }
        }
    }

    /** RFC 9110 §14.6: each part is its header block, then the file region; then the close delimiter. */
    private void multipart(Call c, FileChannel file, MultipartByteranges body) throws IOException {
        for (MultipartByteranges.Part part : body.parts()) {
            c.ex.write(part.header()); // gathered with the response head for the first part
            c.ex.transferFrom(file, part.range().start(), part.range().length(), provenance);
        }
        c.ex.write(body.closeDelimiter());
    }

    private void countRange(Call c, ResponsePlan plan) {
        if (c.header("Range") == null) return;
        String outcome = plan.rangeOutcome();
        c.note = "range=" + outcome;
        metrics.rangeRequests.labels(outcome).increment();
    }
}
