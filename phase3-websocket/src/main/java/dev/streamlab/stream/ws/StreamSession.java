package dev.streamlab.stream.ws;

import dev.streamlab.catalog.Catalog;
import dev.streamlab.catalog.VideoEntry;
import dev.streamlab.mp4.TrackKind;
import dev.streamlab.shared.json.Json;
import dev.streamlab.stream.fmp4.Fmp4Remuxer;
import dev.streamlab.stream.fmp4.Fmp4Track;
import dev.streamlab.stream.fmp4.InitSegment;
import dev.streamlab.stream.fmp4.Segment;
import dev.streamlab.websocket.WsCloseCodes;
import dev.streamlab.websocket.server.WsConnection;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
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
 * <p>Pacing: the sender sends the next segment (video and audio interleaved by start time) once its start is
 * within {@link #AHEAD_SECONDS} of the client's playhead, else waits. The playhead is a clock that runs only while
 * PLAYING, reset by every {@code stats} report (the client's {@code t}, or, without it, the end of what was sent
 * minus {@code buffered_s}): reports steer it, wall-clock time fills in between and when none come. PRIMING sends
 * the first {@link #AHEAD_SECONDS} with the clock stopped; PAUSED sends nothing and keeps the cursor, so
 * {@code play} continues from the same segment.
 *
 * <p>Copies per byte, user space, file to socket: sample bytes 0 (views of the mapped file, gathered with the
 * 24-byte header and the {@code moof} into one WebSocket message, {@link WsConnection#sendBinary(ByteBuffer...)});
 * header, {@code moof} and init segment bytes 1 (the JDK copies heap buffers into a direct buffer for the system
 * call). Counted at {@code /metrics}: {@code streamlab_ws_stream_mapped_bytes_total} and
 * {@code streamlab_ws_stream_heap_bytes_total}.
 */
final class StreamSession {
    /** Pre-buffer and pacing target: how far ahead of the client's playhead segments are sent. */
    static final double AHEAD_SECONDS = 6;
    /** More bad control messages than this within {@link #BAD_WINDOW_NANOS} closes the connection with 1008. */
    static final int MAX_BAD = 50;
    static final long BAD_WINDOW_NANOS = TimeUnit.SECONDS.toNanos(10);

    enum Phase { AWAIT_HELLO, AWAIT_OPEN, STREAMING, CLOSED }

    enum Flow { PRIMING, PLAYING, PAUSED }

    /** What one turn of the sender writes, built under the lock and written outside it. */
    private record Batch(List<String> texts, List<ByteBuffer[]> binaries, long mappedBytes) {}

    private final WsConnection ws;
    private final Catalog catalog;
    private final StreamEndpoint.Meters meters;
    private final ReentrantLock lock = new ReentrantLock(); // not synchronized: virtual threads wait in it
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<Long> badTimes = new ArrayDeque<>();

    // Guarded by lock.
    private Phase phase = Phase.AWAIT_HELLO;
    private Flow flow = Flow.PRIMING;
    private Set<String> codecs = Set.of();
    private List<Fmp4Track> tracks = List.of();
    private int[] next = new int[0];
    private double duration;
    private boolean ended;
    private int timeline;
    private String notice;          // meta or seeked, sent before the inits of a new timeline
    private boolean initsPending;
    private double clockBase;       // the client's playhead at clockAt (seconds)
    private long clockAt;
    private double sentUpTo;        // latest end time of a media segment sent on this timeline
    private Thread sender;

    private int sequence;           // sender thread only

    StreamSession(WsConnection ws, Catalog catalog, StreamEndpoint.Meters meters) {
        this.ws = ws;
        this.catalog = catalog;
        this.meters = meters;
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
                case ControlMessage.Stats s -> {
                    if (!Double.isNaN(s.currentTime())) setClock(s.currentTime());
                    else if (sentUpTo > s.bufferedSeconds()) setClock(sentUpTo - s.bufferedSeconds());
                    yield null;
                }
                case ControlMessage.Open o -> throw new AssertionError("handled above");
            };
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (error != null) reply(error);
    }

    private void openVideo(String id) throws IOException {
        String error = null;
        lock.lock();
        try {
            if (phase != Phase.AWAIT_OPEN && phase != Phase.STREAMING) error = error("bad_state", "send hello first");
        } finally {
            lock.unlock();
        }
        if (error != null) {
            reply(error);
            return;
        }
        Optional<VideoEntry> entry = catalog.find(id);
        if (entry.isEmpty()) {
            reply(errorJson("no_such_video", "no video \"" + id + "\" in the catalog"));
            return;
        }
        Fmp4Remuxer fmp4;
        try {
            fmp4 = Fmp4Remuxer.open(entry.get().file());
        } catch (IOException e) {
            reply(errorJson("cannot_stream", id + ": " + e.getMessage()));
            return;
        }
        lock.lock();
        try {
            List<Fmp4Track> offered = fmp4.tracks().stream()
                    .filter(t -> codecs.contains(t.codec().toLowerCase(Locale.ROOT))).toList();
            if (offered.isEmpty()) {
                error = errorJson("unsupported_codecs", id + " has " + fmp4.tracks().stream()
                        .map(Fmp4Track::codec).toList() + "; the browser decodes none of them");
            } else if (phase != Phase.CLOSED) {
                tracks = offered;
                next = new int[offered.size()];
                duration = fmp4.durationSeconds();
                ended = false;
                flow = Flow.PRIMING;
                setClock(0);
                sentUpTo = 0;
                timeline++;
                notice = meta(id);
                initsPending = true;
                phase = Phase.STREAMING;
                if (sender == null) sender = Thread.ofVirtual().name("ws-stream-sender").start(this::sendLoop);
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
        reply(error);
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
        if (flow == Flow.PAUSED) flow = Flow.PRIMING;
        setClock(target);
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
            Thread.ofVirtual().start(() -> { // not under the lock: a write may block
                try {
                    ws.close(WsCloseCodes.POLICY_VIOLATION, "more than " + MAX_BAD + " bad messages in 10 s");
                } catch (IOException e) {
                    // the connection is gone already
                }
            });
            return null;
        }
        return phase == Phase.CLOSED ? null : errorJson(code, message);
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
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "meta");
        m.put("video", id);
        m.put("duration", duration);
        m.put("timeline", timeline);
        m.put("codecs", tracks.stream().map(Fmp4Track::codec).toList());
        m.put("mimes", tracks.stream().map(Fmp4Track::mimeType).toList());
        m.put("tracks", list);
        m.put("ahead_s", AHEAD_SECONDS);
        return Json.write(m);
    }

    private void reply(String json) throws IOException {
        if (json != null) ws.sendText(ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8)));
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

    // ---- the sender ----

    private void sendLoop() {
        try {
            for (Batch b; (b = nextBatch()) != null; ) {
                for (String t : b.texts()) reply(t);
                long bytes = 0;
                for (ByteBuffer[] parts : b.binaries()) {
                    ws.sendBinary(parts);
                    for (ByteBuffer p : parts) bytes += p.remaining();
                }
                meters.sent(b.binaries().size(), bytes, b.mappedBytes());
            }
        } catch (IOException e) {
            // The connection is gone or closing: the read loop notices and calls closed().
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // nobody interrupts the sender; stop if someone does
        }
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
                    double wait = track.segmentStartSeconds(next[t]) - (playhead() + AHEAD_SECONDS);
                    if (wait < 0) return mediaBatch(t, track.segment(next[t]++));
                    // Wake at the latest after a second: a stats report may have moved the clock meanwhile.
                    changed.awaitNanos(Math.max(1_000_000L, (long) (Math.min(wait, 1.0) * 1e9)));
                    continue;
                }
                changed.await();
            }
        } finally {
            lock.unlock();
        }
    }

    private Batch initBatch() {
        initsPending = false;
        List<String> texts = notice == null ? List.of() : List.of(notice);
        notice = null;
        List<ByteBuffer[]> out = new ArrayList<>();
        for (Fmp4Track t : tracks) {
            InitSegment init = t.init();
            int at = next[0] < tracks.getFirst().segmentCount()
                    ? SegmentHeader.millis(tracks.getFirst().segmentStart(next[0]), tracks.getFirst().timescale()) : 0;
            out.add(withHeader(new SegmentHeader(track(t.kind()), SegmentHeader.Kind.INIT, false, 0, ++sequence,
                    timeline, at, at), init.buffers()));
        }
        return new Batch(texts, out, 0);
    }

    private Batch mediaBatch(int t, Segment s) {
        sentUpTo = Math.max(sentUpTo, s.endSeconds());
        SegmentHeader h = new SegmentHeader(track(s.kind()), SegmentHeader.Kind.MEDIA, s.independent(), 0, ++sequence,
                timeline, SegmentHeader.millis(s.baseDecodeTime(), s.timescale()),
                SegmentHeader.millis(s.startTime(), s.timescale()));
        return new Batch(List.of(), List.<ByteBuffer[]>of(withHeader(h, s.buffers())), s.payloadLength());
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
}
