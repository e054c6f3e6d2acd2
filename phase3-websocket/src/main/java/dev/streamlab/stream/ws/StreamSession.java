package dev.streamlab.stream.ws;

import dev.streamlab.catalog.Catalog;
import dev.streamlab.catalog.VideoEntry;
import dev.streamlab.mp4.Mp4FormatException;
import dev.streamlab.mp4.TrackKind;
import dev.streamlab.shared.io.MappingFault;
import dev.streamlab.shared.io.MediaFiles;
import dev.streamlab.shared.json.Json;
import dev.streamlab.shared.text.ClientText;
import dev.streamlab.stream.abr.AbrController;
import dev.streamlab.stream.abr.Ladder;
import dev.streamlab.stream.fmp4.Fmp4Remuxer;
import dev.streamlab.stream.fmp4.Fmp4Track;
import dev.streamlab.stream.fmp4.InitSegment;
import dev.streamlab.stream.fmp4.RemuxException;
import dev.streamlab.stream.fmp4.Segment;
import dev.streamlab.websocket.WsCloseCodes;
import dev.streamlab.websocket.server.WsConnection;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;

/**
 * One client of {@code /ws/stream}: the control state machine (fed by the connection's reader thread) and the
 * sender (its own virtual thread) that pushes segments.
 *
 * <pre>
 *  AWAIT_HELLO --hello--> AWAIT_OPEN --open--> STREAMING --(connection closed / 1008)--> CLOSED
 *  within STREAMING, the flow:  PRIMING --play--> PLAYING --pause--> PAUSED --play--> PLAYING
 *                               (seek while PAUSED → PRIMING: the client needs the frame at the new position)
 * </pre>
 *
 * <p><b>Pacing with watermarks.</b> The sender sends the next segment (video and audio interleaved by start time)
 * while it is filling and the segment ends within {@code high} seconds of the client's playhead; then it stops
 * until the client's buffer (what was sent minus the playhead) falls to {@code low}, and fills again. The
 * playhead is a clock that runs only while PLAYING, reset by every {@code stats} report (the client's {@code t},
 * or, without it, the end of what was sent minus {@code buffered_s}). PRIMING fills to {@code high} with the
 * clock stopped; PAUSED sends nothing and keeps the cursor, so {@code play} continues from the same sample.
 *
 * <p><b>Rungs.</b> The video comes from the current rung of the video's {@link Ladder} (same keyframe instants,
 * so segment k of every rung covers the same span); a switch (manual {@code quality}, or the
 * {@link AbrController} on a {@code stats} report) waits for the next video segment, which starts with a keyframe,
 * and goes out as {@code rung}, that rung's init segment, its media. Audio always comes from the opened file.
 *
 * <p><b>Slow clients.</b> A second clock, the real-time schedule, runs while PLAYING and is not pulled back by a
 * stalled client's reports (only by a healthy one's). When the next segment to send starts more than
 * {@code skip_lag} seconds before the schedule, the writes lag real time: the segments due but not written are
 * dropped up to the newest keyframe at or after the schedule ({@code skip}), one rung down; more than
 * {@code maxSkips} skips in the window closes with 1008.
 *
 * <p>Copies per byte, user space, file to socket: sample bytes 0 (views of the mapped file, gathered with the
 * 24-byte header and the {@code moof} into one WebSocket message, {@link WsConnection#sendBinary(ByteBuffer...)});
 * header, {@code moof} and init segment bytes 1 (the JDK copies heap buffers into a direct buffer for the system
 * call). Counted at {@code /metrics}: {@code streamlab_ws_stream_mapped_bytes_total} and
 * {@code streamlab_ws_stream_bytes_total}. Media segments come from the endpoint's {@link SegmentSource}: the
 * tracks' rings of recently built segments in phase 3, phase 4's chunk cache there (whole segments in direct
 * buffers: 0 copies per write, one per load).
 */
final class StreamSession {
    /** More bad control messages than this within {@link #BAD_WINDOW_NANOS} closes the connection with 1008. */
    static final int MAX_BAD = 50;
    static final long BAD_WINDOW_NANOS = TimeUnit.SECONDS.toNanos(10);
    /**
     * How far past the duration a real player's {@code t} may be: MSE stretches the element's duration to the end
     * of the media appended (a track may end a little after the file's duration, and a ladder's rungs may differ
     * by up to {@link Ladder#DURATION_TOLERANCE_S} s).
     */
    static final double PLAYHEAD_SLACK_S = 0.5;
    /** Writes timed for the server's own throughput estimate. */
    private static final int TX_WINDOW = 8;

    enum Phase { AWAIT_HELLO, AWAIT_OPEN, STREAMING, CLOSED }

    enum Flow { PRIMING, PLAYING, PAUSED }

    /** What one turn of the sender writes, built under the lock and written outside it; or a close. */
    private record Batch(List<String> texts, List<ByteBuffer[]> binaries, long mappedBytes, String close) {
        Batch(List<String> texts, List<ByteBuffer[]> binaries, long mappedBytes) {
            this(texts, binaries, mappedBytes, null);
        }
    }

    private final WsConnection ws;
    private final Catalog catalog;
    private final StreamEndpoint endpoint;
    private final StreamEndpoint.Settings settings;
    private final StreamEndpoint.Meters meters;
    private final ReentrantLock lock = new ReentrantLock(); // not synchronized: virtual threads wait in it
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<Long> badTimes = new ArrayDeque<>();
    private final ArrayDeque<Long> skipTimes = new ArrayDeque<>();
    private final long[] txBytes = new long[TX_WINDOW];
    private final long[] txNanos = new long[TX_WINDOW];
    private final ClientTotals totals;

    // Guarded by lock.
    private Phase phase = Phase.AWAIT_HELLO;
    private Flow flow = Flow.PRIMING;
    private Set<String> codecs = Set.of();
    private List<Fmp4Track> tracks = List.of(); // video (the current rung's) first when offered, then audio
    private boolean hasVideo;
    private List<Ladder.Rung> rungs = List.of();
    private List<Fmp4Track> rungVideo = List.of();
    private int rung;
    private int audioRung;          // the opened file's rung: where audio comes from
    private int pendingRung = -1;
    private String pendingReason;
    private boolean pendingAuto;
    private AbrController abr;
    private int[] next = new int[0];
    private double duration;
    private boolean ended;
    private int timeline;
    private String meta;            // the open's meta, sent before the inits of its first timeline
    private String notice;          // seeked, sent before the inits of a new timeline (after a pending meta: a seek
                                    // right after an open must not overwrite the meta the client needs first)
    private boolean initsPending;
    private boolean filling = true;
    private boolean waited = true;  // the sender paused for pacing since its last binary message
    private double clockBase;       // the client's playhead at clockAt (seconds)
    private long clockAt;
    private double wallBase;        // the real-time schedule at wallAt
    private long wallAt;
    private double sentUpTo;        // latest end time of a media segment sent on this timeline
    private int txCount;
    private long linkFreeAt;        // the test throttle: when the emulated link has sent everything so far
    private Thread sender;

    private int sequence;           // sender thread only

    StreamSession(WsConnection ws, Catalog catalog, StreamEndpoint endpoint) {
        this.ws = ws;
        this.catalog = catalog;
        this.endpoint = endpoint;
        this.settings = endpoint.settings();
        this.meters = endpoint.meters();
        this.totals = meters.clientTotals();
    }

    /** One control message from the reader thread. Errors are answered; the stream goes on. */
    void onText(String text) throws IOException {
        ControlMessage m = ControlMessage.parse(text);
        if (m instanceof ControlMessage.Open open) {
            openVideo(open.video()); // remuxes outside the lock
            return;
        }
        String error;
        lock.lock();
        try {
            error = switch (m) {
                case ControlMessage.Invalid bad -> error(bad.code(), bad.message());
                case ControlMessage.Hello h when phase == Phase.AWAIT_HELLO -> {
                    codecs = h.codecs().stream().map(c -> c.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
                    phase = Phase.AWAIT_OPEN;
                    yield null;
                }
                case ControlMessage.Hello h -> error("bad_state", "hello was already sent");
                case ControlMessage c when phase != Phase.STREAMING -> error("bad_state",
                        phase == Phase.AWAIT_HELLO ? "send hello first" : "open a video first");
                case ControlMessage.Play p -> {
                    if (flow != Flow.PLAYING) {
                        setClock(playhead());
                        flow = Flow.PLAYING;
                        setWall(clockBase);
                    }
                    yield null;
                }
                case ControlMessage.Pause p -> {
                    setClock(playhead());
                    flow = Flow.PAUSED;
                    yield null;
                }
                case ControlMessage.Seek s -> {
                    seek(s.seconds());
                    yield null;
                }
                case ControlMessage.Resync r -> {
                    resync();
                    yield null;
                }
                case ControlMessage.Stats s -> stats(s);
                case ControlMessage.Quality q -> quality(q.rung());
                case ControlMessage.Open o -> throw new AssertionError("handled above");
            };
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (error != null) reply(error);
    }

    /** A report steers the clock and the ABR rules; one whose playhead is past the video's end is refused. */
    private String stats(ControlMessage.Stats s) {
        double t = s.currentTime();
        // No player's playhead is past the end of the video it plays: taken as is, t = 1e308 made the sender
        // believe the client was there and push the rest of the file at once, then `ended`. Refused like any
        // malformed report (counts toward MAX_BAD), and nothing of it is taken: the clock keeps running.
        if (t > duration + PLAYHEAD_SLACK_S) {
            return error("bad_message", "stats: \"t\" " + t + " is past the end of the video (" + duration + " s)");
        }
        totals.report(s);
        if (!Double.isNaN(t)) setClock(t);
        else if (sentUpTo > s.bufferedSeconds()) setClock(sentUpTo - s.bufferedSeconds());
        // A client with a healthy buffer is not behind: forgive the stalls the schedule counted so far. A stalled
        // client's report never pulls the schedule back (that is how the server notices it falls behind).
        if (flow == Flow.PLAYING && (s.bufferedSeconds() >= settings.lowS() || clockBase > wall())) setWall(clockBase);
        if (!hasVideo || rungs.size() < 2) return null;
        AbrController.Switch sw = abr.report(s.bufferedSeconds(), throughput(s.rxBps()), System.nanoTime());
        if (sw != null) request(sw.rung(), sw.reason(), true);
        return null;
    }

    /** The lower of the client's and the server's estimates (the server's is an upper bound: socket buffers). */
    private double throughput(double rx) {
        double tx = txBps();
        if (Double.isNaN(rx)) return tx;
        return Double.isNaN(tx) ? rx : Math.min(rx, tx);
    }

    private String quality(int wanted) {
        if (wanted == ControlMessage.Quality.AUTO) {
            abr.resumeAuto();
            return null;
        }
        if (wanted >= rungs.size()) {
            return error("bad_message", "rung " + wanted + " is not in [0, " + (rungs.size() - 1) + "]");
        }
        abr.pin(wanted);
        request(wanted, "manual", false);
        return null;
    }

    /** Switch at the next video keyframe segment (or at once with the next init segments). */
    private void request(int to, String reason, boolean auto) {
        if (to == rung) {
            pendingRung = -1;
            return;
        }
        pendingRung = to;
        pendingReason = reason;
        pendingAuto = auto;
    }

    /**
     * Why a listed video cannot be streamed, for the client: an I/O error's message names the file by the server's
     * path (a FileSystemException's, Mp4File's own), which is none of the client's business; it knows the id.
     */
    static String whyCannotStream(IOException e) {
        return switch (e) {
            case FileSystemException fs -> MediaFiles.whyUnavailable(fs);
            case Mp4FormatException bad -> "is not a valid MP4: " + bad.getMessage();
            case RemuxException bad -> "cannot be remuxed: " + bad.getMessage();
            // Mp4File's other words start with the path ("<path> became shorter while it was read").
            default -> "cannot be read: " + String.valueOf(e.getMessage()).replaceAll("/\\S*", "the file");
        };
    }

    private void openVideo(String id) throws IOException {
        String error = null;
        Set<String> accepted;
        lock.lock();
        try {
            if (phase != Phase.AWAIT_OPEN && phase != Phase.STREAMING) error = error("bad_state", "send hello first");
            accepted = codecs;
        } finally {
            lock.unlock();
        }
        if (error != null) {
            reply(error);
            return;
        }
        Optional<VideoEntry> entry = catalog.find(id);
        if (entry.isEmpty()) {
            reply(errorJson("no_such_video", "no video \"" + ClientText.shorten(id) + "\" in the catalog"));
            return;
        }
        Fmp4Remuxer fmp4;
        try {
            fmp4 = endpoint.remuxers().open(entry.get().file()); // shared by every viewer of the file
        } catch (IOException e) {
            reply(errorJson("cannot_stream", "video \"" + entry.get().id() + "\" " + whyCannotStream(e)));
            return;
        }
        // A video whose picture the browser cannot decode is refused, even when its audio would play: streaming
        // the sound alone of an HEVC film in a browser without HEVC looks like a broken player, not a choice.
        // Only a file without a video track plays as audio.
        Optional<Fmp4Track> picture = fmp4.video();
        if (picture.isPresent() && !decodes(accepted, picture.get().codec())) {
            reply(errorJson("unsupported_codecs", id + ": its video is " + picture.get().codec()
                    + ", which this browser cannot decode (its hello lists " + accepted.stream().sorted().toList()
                    + "); nothing is streamed"));
            return;
        }
        List<Fmp4Track> offered = fmp4.tracks().stream()
                .filter(t -> decodes(accepted, t.codec())).toList();
        if (offered.isEmpty()) {
            reply(errorJson("unsupported_codecs", id + " has " + fmp4.tracks().stream()
                    .map(Fmp4Track::codec).toList() + "; the browser decodes none of them"));
            return;
        }
        boolean video = offered.getFirst().kind() == TrackKind.VIDEO;
        // The ladder's other rungs, remuxed now (outside the lock): only those the browser decodes and whose
        // segments line up with the opened file's.
        List<Ladder.Rung> ladder = new ArrayList<>();
        List<Fmp4Track> ladderVideo = new ArrayList<>();
        if (video) {
            Fmp4Track own = offered.getFirst();
            for (Ladder.Rung r : Ladder.of(catalog, entry.get()).rungs()) {
                Fmp4Track v = r.video().equals(entry.get().id()) ? own : otherRung(r, accepted);
                if (v != null && v.segmentCount() == own.segmentCount()) {
                    ladder.add(r);
                    ladderVideo.add(v);
                }
            }
        } else {
            ladder.add(new Ladder.Rung(id, entry.get().file(), "", 0, 0, 0,
                    offered.getFirst().source().bitrate()));
        }
        lock.lock();
        try {
            if (phase != Phase.CLOSED) {
                hasVideo = video;
                rungs = List.copyOf(ladder);
                rungVideo = List.copyOf(ladderVideo);
                audioRung = Math.max(0, ladder.stream().map(Ladder.Rung::video).toList().indexOf(id));
                rung = 0; // start low: the first picture comes soonest, and no throughput is known yet
                pendingRung = -1;
                abr = new AbrController(bandwidths(offered), rung, settings.lowS(), settings.highS());
                List<Fmp4Track> t = new ArrayList<>(offered);
                if (video) t.set(0, rungVideo.get(rung));
                tracks = t;
                next = new int[offered.size()];
                duration = fmp4.durationSeconds();
                ended = false;
                flow = Flow.PRIMING;
                setClock(0);
                setWall(0);
                sentUpTo = 0;
                filling = true;
                timeline++;
                meta = meta(id);
                notice = null; // a seek not yet answered was a seek in the previous video
                initsPending = true;
                phase = Phase.STREAMING;
                if (sender == null) sender = Thread.ofVirtual().name("ws-stream-sender").start(this::sendLoop);
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    private Fmp4Track otherRung(Ladder.Rung r, Set<String> accepted) {
        if (!decodes(accepted, r.codec())) return null;
        try {
            return endpoint.remuxers().open(r.file()).video().orElse(null);
        } catch (IOException e) {
            return null; // a rung that cannot be remuxed is left out of the ladder, not fatal for the others
        }
    }

    /** Whether the browser's hello listed {@code codec} (the hello's codecs are kept in lower case). */
    private static boolean decodes(Set<String> accepted, String codec) {
        return accepted.contains(codec.toLowerCase(Locale.ROOT));
    }

    /** Bits/s the client receives on each rung: that rung's video plus the audio, which always is the opened file's. */
    private long[] bandwidths(List<Fmp4Track> offered) {
        boolean audio = offered.getLast().kind() == TrackKind.AUDIO;
        long audioBps = audio ? rungs.get(audioRung).audioBandwidth() : 0;
        long[] out = new long[rungs.size()];
        for (int i = 0; i < out.length; i++) out[i] = (hasVideo ? rungs.get(i).videoBandwidth() : 0) + audioBps;
        return out;
    }

    /** Lead track (video if offered) to its keyframe at or before {@code t}; the others to that time. */
    private void seek(double t) {
        double target = Math.min(t, duration);
        next[0] = tracks.getFirst().segmentAt(target);
        double from = tracks.getFirst().segmentStartSeconds(next[0]);
        for (int i = 1; i < tracks.size(); i++) next[i] = tracks.get(i).segmentAt(from);
        timeline++;
        ended = false;
        sentUpTo = from;
        filling = true;
        if (flow == Flow.PAUSED) flow = Flow.PRIMING;
        setClock(target);
        setWall(target);
        abr.restarted();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "seeked");
        m.put("t", from);
        m.put("requested", target);
        m.put("timeline", timeline);
        notice = Json.write(m);
        initsPending = true;
    }

    /** Fresh init segments, then the lead track from its next keyframe (same timeline: nothing goes stale). */
    private void resync() {
        Fmp4Track lead = tracks.getFirst();
        while (next[0] < lead.segmentCount() && !lead.independent(next[0])) next[0]++;
        if (next[0] < lead.segmentCount()) {
            double from = lead.segmentStartSeconds(next[0]);
            for (int i = 1; i < tracks.size(); i++) next[i] = tracks.get(i).segmentAt(from);
        }
        initsPending = true;
    }

    /** Counts a bad message; past the limit, closes with 1008 and returns null (nothing more to send). */
    private String error(String code, String message) {
        long now = System.nanoTime();
        badTimes.addLast(now);
        while (now - badTimes.getFirst() > BAD_WINDOW_NANOS) badTimes.removeFirst();
        meters.badMessage();
        if (badTimes.size() > MAX_BAD && phase != Phase.CLOSED) {
            phase = Phase.CLOSED;
            changed.signalAll();
            closeLater("more than " + MAX_BAD + " bad messages in 10 s");
            return null;
        }
        return phase == Phase.CLOSED ? null : errorJson(code, message);
    }

    private void closeLater(String reason) {
        Thread.ofVirtual().start(() -> { // not under the lock: a write may block
            try {
                ws.close(WsCloseCodes.POLICY_VIOLATION, reason);
            } catch (IOException e) {
                // the connection is gone already
            }
        });
    }

    private static String errorJson(String code, String message) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "error");
        m.put("code", code);
        m.put("message", message == null ? "" : message);
        return Json.write(m);
    }

    private String meta(String id) {
        List<Object> list = new ArrayList<>();
        for (Fmp4Track t : tracks) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("track", t.kind().id());
            m.put("codec", t.codec());
            m.put("mime", t.mimeType());
            m.put("segments", t.segmentCount());
            list.add(m);
        }
        long[] bandwidth = abr == null ? new long[rungs.size()] : bandwidths(tracks);
        List<Object> ladder = new ArrayList<>();
        for (int i = 0; i < rungs.size(); i++) {
            Ladder.Rung r = rungs.get(i);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("rung", i);
            m.put("video", r.video());
            m.put("width", r.width());
            m.put("height", r.height());
            m.put("bandwidth", bandwidth[i]);
            if (hasVideo) {
                m.put("codec", rungVideo.get(i).codec());
                m.put("mime", rungVideo.get(i).mimeType());
            }
            ladder.add(m);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "meta");
        m.put("video", id);
        m.put("duration", duration);
        m.put("timeline", timeline);
        m.put("codecs", tracks.stream().map(Fmp4Track::codec).toList());
        m.put("mimes", tracks.stream().map(Fmp4Track::mimeType).toList());
        m.put("tracks", list);
        m.put("rungs", ladder);
        m.put("rung", rung);
        m.put("abr", "auto");
        m.put("low_s", settings.lowS());
        m.put("high_s", settings.highS());
        return Json.write(m);
    }

    private String rungJson(double t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "rung");
        m.put("rung", rung);
        m.put("auto", pendingAuto);
        m.put("t", t);
        m.put("reason", pendingReason);
        return Json.write(m);
    }

    /**
     * JSON control goes out compressed when the handshake agreed to permessage-deflate (RFC 7692): {@code meta} and
     * the error/rung/seeked replies shrink several-fold with context takeover (phase 4's compression table). Media
     * never does: it is already entropy-coded (ratio ~1.02) and compressing would copy every mapped sample byte.
     */
    private void reply(String json) throws IOException {
        if (json != null) ws.sendText(ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8)), true);
    }

    void closed() {
        lock.lock();
        try {
            phase = Phase.CLOSED;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private boolean isClosed() {
        lock.lock();
        try {
            return phase == Phase.CLOSED;
        } finally {
            lock.unlock();
        }
    }

    // ---- the sender ----

    private void sendLoop() {
        try {
            for (Batch b; (b = nextBatch()) != null; ) {
                if (b.close() != null) {
                    ws.close(WsCloseCodes.POLICY_VIOLATION, b.close());
                    return;
                }
                for (String t : b.texts()) reply(t);
                long bytes = 0;
                for (ByteBuffer[] parts : b.binaries()) {
                    long start = System.nanoTime();
                    ws.sendBinary(parts);
                    long n = 0;
                    for (ByteBuffer p : parts) n += p.remaining();
                    throttle(n, start);
                    sent(n, System.nanoTime() - start);
                    bytes += n;
                }
                meters.sent(b.binaries().size(), bytes, b.mappedBytes());
            }
        } catch (IOException e) {
            // Usually the connection is gone or closing, and the read loop notices and calls closed(). But a file
            // truncated in place between mediaBatch's check and the write fails the write (EFAULT) on a healthy
            // socket, perhaps part-way through a frame, so no Close can follow: the read loop would wait on a silent
            // connection for ever. Drop it, as LiveSession does.
            if (!ws.closeSent() && !isClosed()) ws.abort();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // nobody interrupts the sender; stop if someone does
        } catch (RuntimeException | InternalError e) {
            // A segment that cannot be made (a SegmentSource failing): say so rather than leave the client waiting.
            // InternalError is how the JDK reports a fault copying from a mapping truncated under it (phase 4's
            // cache copies a segment out of the mapping before any byte of its frame is written); any other is the
            // JVM's own trouble and goes on up.
            if (e instanceof InternalError error && !MappingFault.is(error)) throw error;
            try {
                ws.close(WsCloseCodes.INTERNAL_ERROR, "cannot send the next segment: " + e.getMessage());
            } catch (IOException gone) {
                // the connection is gone already
            }
        }
    }

    /**
     * The lab's link emulator ({@link StreamEndpoint#throttle(long)}): after a write of {@code bytes}, waits until
     * a link of that many bits/s would have carried it. Off (0) in production.
     */
    private void throttle(long bytes, long start) throws InterruptedException {
        long bps = endpoint.throttleBps();
        if (bps <= 0) return;
        lock.lock();
        try {
            linkFreeAt = Math.max(linkFreeAt, start) + (long) (bytes * 8e9 / bps);
            for (long left; phase != Phase.CLOSED && (left = linkFreeAt - System.nanoTime()) > 0; ) {
                changed.awaitNanos(left);
            }
        } finally {
            lock.unlock();
        }
    }

    /** One write's bytes and wall time, for the server's throughput estimate. */
    private void sent(long bytes, long nanos) {
        lock.lock();
        try {
            int i = txCount++ % TX_WINDOW;
            txBytes[i] = bytes;
            txNanos[i] = nanos;
        } finally {
            lock.unlock();
        }
    }

    /** Bits/s over the last writes, or NaN before the first: an upper bound while socket buffers absorb writes. */
    private double txBps() {
        int n = Math.min(txCount, TX_WINDOW);
        if (n == 0) return Double.NaN;
        long bytes = 0;
        long nanos = 0;
        for (int i = 0; i < n; i++) {
            bytes += txBytes[i];
            nanos += txNanos[i];
        }
        return bytes * 8e9 / Math.max(nanos, 1_000);
    }

    /** Waits until there is something to send, or returns null once the session is closed. */
    private Batch nextBatch() throws InterruptedException {
        lock.lock();
        try {
            while (true) {
                if (phase == Phase.CLOSED) return null;
                if (initsPending) return initBatch();
                if (flow != Flow.PAUSED && !ended) {
                    int t = nextTrack();
                    if (t < 0) {
                        ended = true;
                        return new Batch(List.of("{\"type\":\"ended\"}"), List.of(), 0);
                    }
                    Fmp4Track track = tracks.get(t);
                    double start = track.segmentStartSeconds(next[t]);
                    if (flow == Flow.PLAYING && wall() - start > settings.skipLagS()) return skip(start);
                    double head = playhead();
                    double buffered = sentUpTo - head;
                    if (!filling && buffered <= settings.lowS()) filling = true;
                    if (filling) {
                        // Always at least up to low: a GOP longer than (high - low) must not stop the flow.
                        if (end(track, next[t]) <= head + settings.highS() || buffered < settings.lowS()) {
                            return mediaBatch(t);
                        }
                        filling = false;
                    }
                    waited = true;
                    // Wake when the buffer should have drained to low, at the latest after a second: a stats
                    // report may have moved the clock meanwhile.
                    double wait = flow == Flow.PLAYING ? buffered - settings.lowS() : 1.0;
                    changed.awaitNanos(Math.max(1_000_000L, (long) (Math.min(wait, 1.0) * 1e9)));
                    continue;
                }
                waited = true;
                changed.await();
            }
        } finally {
            lock.unlock();
        }
    }

    private static double end(Fmp4Track t, int i) {
        return i + 1 < t.segmentCount() ? t.segmentStartSeconds(i + 1)
                : Math.max(t.segmentStartSeconds(i), t.durationSeconds());
    }

    /**
     * The writes lag real time: drop every segment due but not written up to the newest keyframe at or after the
     * schedule (never part of a GOP), go one rung down, tell the client. Past the bound: close.
     */
    private Batch skip(double from) {
        long now = System.nanoTime();
        skipTimes.addLast(now);
        while (now - skipTimes.getFirst() > settings.skipWindow().toNanos()) skipTimes.removeFirst();
        meters.skip();
        if (skipTimes.size() > settings.maxSkips()) {
            phase = Phase.CLOSED;
            meters.slowClose();
            return new Batch(List.of(), List.of(), 0, "too slow: more than " + settings.maxSkips()
                    + " skips in " + settings.skipWindow().toSeconds() + " s");
        }
        Fmp4Track lead = tracks.getFirst();
        double at = wall();
        int k = next[0];
        while (k < lead.segmentCount() && (!lead.independent(k) || lead.segmentStartSeconds(k) < at)) k++;
        double to = k < lead.segmentCount() ? lead.segmentStartSeconds(k) : duration;
        int dropped = k - next[0];
        next[0] = k;
        for (int i = 1; i < tracks.size(); i++) {
            int j = k < lead.segmentCount() ? tracks.get(i).segmentAt(to) : tracks.get(i).segmentCount();
            dropped += Math.max(0, j - next[i]);
            next[i] = Math.max(next[i], j);
        }
        meters.dropped(dropped);
        sentUpTo = Math.max(sentUpTo, to);
        setClock(to);
        setWall(to);
        filling = true;
        AbrController.Switch down = hasVideo && rungs.size() > 1 ? abr.behind(now) : null;
        if (down != null) request(down.rung(), down.reason(), true);
        abr.restarted();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "skip");
        m.put("from", from);
        m.put("t", to);
        m.put("timeline", timeline);
        return new Batch(List.of(Json.write(m)), List.of(), 0);
    }

    private Batch initBatch() {
        initsPending = false;
        List<String> texts = new ArrayList<>(2);
        if (meta != null) texts.add(meta);
        if (notice != null) texts.add(notice);
        meta = notice = null;
        if (hasVideo && pendingRung >= 0) { // a new timeline starts at a keyframe anyway: switch right here
            int at = next[0];
            switchRung();
            texts.add(rungJson(at < tracks.getFirst().segmentCount() ? tracks.getFirst().segmentStartSeconds(at)
                    : duration));
        }
        List<ByteBuffer[]> out = new ArrayList<>();
        for (Fmp4Track t : tracks) {
            int at = next[0] < tracks.getFirst().segmentCount()
                    ? SegmentHeader.millis(tracks.getFirst().segmentStart(next[0]), tracks.getFirst().timescale()) : 0;
            out.add(withHeader(new SegmentHeader(track(t.kind()), SegmentHeader.Kind.INIT, false, rungOf(t),
                    ++sequence, timeline, at, at), t.init().buffers()));
        }
        return batch(texts, out, 0);
    }

    private void switchRung() {
        int from = rung;
        rung = pendingRung;
        pendingRung = -1;
        List<Fmp4Track> t = new ArrayList<>(tracks);
        t.set(0, rungVideo.get(rung));
        tracks = t;
        meters.rungSwitch(rung > from);
    }

    private Batch mediaBatch(int t) {
        List<String> texts = List.of();
        List<ByteBuffer[]> out = new ArrayList<>(2);
        if (t == 0 && hasVideo && pendingRung >= 0 && tracks.getFirst().independent(next[0])) {
            double at = tracks.getFirst().segmentStartSeconds(next[0]);
            switchRung();
            texts = List.of(rungJson(at));
            Fmp4Track v = tracks.getFirst();
            int ms = SegmentHeader.millis(v.segmentStart(next[0]), v.timescale());
            InitSegment init = v.init();
            out.add(withHeader(new SegmentHeader(SegmentHeader.Track.VIDEO, SegmentHeader.Kind.INIT, false, rung,
                    ++sequence, timeline, ms, ms), init.buffers()));
        }
        Fmp4Track track = tracks.get(t);
        if (!track.sourceIntact()) {
            // Segments are views of the file's mapping: rewritten in place they would carry other bytes, truncated
            // they fault as they are sent (the write failed, or phase 4's copy threw InternalError, and the client
            // waited on a silent connection for ever). Said once, as a Close, before any byte of a frame.
            throw new IllegalStateException("the video file changed on disk; open it again");
        }
        // The ring of recently built segments (phase 3) or phase 4's shared chunk cache: see SegmentSource.
        SegmentSource.Served served = endpoint.segments().segment(track, next[t]++);
        Segment s = served.segment();
        sentUpTo = Math.max(sentUpTo, s.endSeconds());
        SegmentHeader h = new SegmentHeader(track(s.kind()), SegmentHeader.Kind.MEDIA, s.independent(), rungOf(track),
                ++sequence, timeline, SegmentHeader.millis(s.baseDecodeTime(), s.timescale()),
                SegmentHeader.millis(s.startTime(), s.timescale()));
        out.add(withHeader(h, s.buffers()));
        return batch(texts, out, served.uncopiedBytes());
    }

    /** Marks every binary message written straight after the previous one (no pacing pause): flags bit 1. */
    private Batch batch(List<String> texts, List<ByteBuffer[]> binaries, long mapped) {
        for (int i = 0; i < binaries.size(); i++) {
            ByteBuffer header = binaries.get(i)[0];
            if (i > 0 || !waited) header.put(5, (byte) (header.get(5) | SegmentHeader.BACK_TO_BACK));
        }
        waited = false;
        return new Batch(texts, binaries, mapped);
    }

    private int rungOf(Fmp4Track t) {
        return t.kind() == TrackKind.VIDEO ? rung : audioRung;
    }

    private static ByteBuffer[] withHeader(SegmentHeader h, ByteBuffer[] body) {
        ByteBuffer[] parts = new ByteBuffer[body.length + 1];
        parts[0] = h.encode();
        System.arraycopy(body, 0, parts, 1, body.length);
        return parts;
    }

    private static SegmentHeader.Track track(TrackKind kind) {
        return kind == TrackKind.AUDIO ? SegmentHeader.Track.AUDIO : SegmentHeader.Track.VIDEO;
    }

    /** The track whose next segment starts first (video on a tie), or -1 when every track is done. */
    private int nextTrack() {
        int best = -1;
        for (int i = 0; i < tracks.size(); i++) {
            if (next[i] >= tracks.get(i).segmentCount()) continue;
            if (best < 0 || tracks.get(i).segmentStartSeconds(next[i]) < tracks.get(best).segmentStartSeconds(next[best])) {
                best = i;
            }
        }
        return best;
    }

    private double playhead() {
        return flow == Flow.PLAYING ? clockBase + (System.nanoTime() - clockAt) / 1e9 : clockBase;
    }

    private void setClock(double seconds) {
        clockBase = seconds;
        clockAt = System.nanoTime();
    }

    /** The real-time schedule: where a client that never stalled would be. */
    private double wall() {
        return flow == Flow.PLAYING ? wallBase + (System.nanoTime() - wallAt) / 1e9 : wallBase;
    }

    private void setWall(double seconds) {
        wallBase = seconds;
        wallAt = System.nanoTime();
    }
}
