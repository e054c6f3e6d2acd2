package dev.streamlab.stream.live;

import dev.streamlab.shared.json.Json;
import dev.streamlab.stream.fmp4.InitSegment;
import dev.streamlab.stream.ws.ClientTotals;
import dev.streamlab.stream.ws.ControlMessage;
import dev.streamlab.stream.ws.SegmentHeader;
import dev.streamlab.websocket.WsCloseCodes;
import dev.streamlab.websocket.WsEvent;
import dev.streamlab.websocket.WsLimits;
import dev.streamlab.websocket.server.WsConnection;
import dev.streamlab.websocket.server.WsEndpoint;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * One viewer of {@code /ws/live/{channel}} (PROTOCOL.md, "Live channel"): control messages on the connection's
 * reader thread, segments from the viewer's own virtual thread, which reads the channel's ring through a cursor.
 *
 * <pre>
 *  AWAIT_HELLO --hello--> WATCHING (meta, init, newest keyframe onwards; edge every second)
 *                         --resync--> joined{timeline+1}, init, newest keyframe onwards
 *                         --(closed, too slow: 1008, channel stopped: 1001)--> CLOSED
 * </pre>
 *
 * <p><b>The queue is a cursor.</b> Instead of a per-viewer queue of references ({@code Hub}'s subscriptions),
 * the viewer's backlog is the stretch of the shared ring from its cursor to the newest segment, so joining at the
 * cached keyframe costs nothing (the backlog is already there) and a queue slot costs nothing either. The hub's
 * skip-to-marked rule is applied to it: when the viewer is {@link LiveConfig#maxBehind()} segments behind (or its
 * cursor left the ring), the cursor jumps to the newest keyframe segment — the queued media are dropped, and what
 * follows is whole GOPs from their keyframe on. More than {@link LiveConfig#maxSkips()} skips within
 * {@link LiveConfig#skipWindow()} closes with 1008 and a reason. Dead viewers: the session's heartbeats.
 *
 * <p><b>Copies per segment per viewer, user space:</b> 0 fMP4 bytes (shared {@link LiveSegment} views, direct and
 * mapped memory, one gathering write), 24 header bytes encoded fresh. With {@link LiveConfig#copyPerViewer()} (the
 * benchmark's naive variant) every segment is first copied whole into a fresh buffer: {@code length} bytes more.
 * Counted in {@code streamlab_live_copied_bytes_total}.
 */
final class LiveSession implements WsEndpoint {
    private static final Logger LOG = Logger.getLogger(LiveSession.class.getName());
    static final int MAX_BAD = 50;
    static final long BAD_WINDOW_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final long EDGE_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final LiveEndpoint endpoint;
    private final String channelId;
    private final LiveEndpoint.Meters meters;
    private final LiveConfig config;
    private final ArrayDeque<Long> badTimes = new ArrayDeque<>(); // reader thread only
    private final ArrayDeque<Long> skipTimes = new ArrayDeque<>(); // sender thread only
    private final ClientTotals totals;

    private WsConnection ws;
    private volatile LiveChannel channel;
    private volatile boolean helloSeen;
    private volatile boolean resync;
    private volatile boolean closed;
    private volatile double clientTime = Double.NaN;   // the player's currentTime at its last stats
    private volatile long clientAt;
    private volatile Thread sender;
    private volatile long writingSince;               // nanoTime a send began, 0 when none is in progress
    private volatile boolean aborted;

    // Sender thread only.
    private long cursor;
    private int sequence;
    private int timeline = 1;
    private long lastEdge;

    LiveSession(LiveEndpoint endpoint, String channelId) {
        this.endpoint = endpoint;
        this.channelId = channelId;
        this.meters = endpoint.meters();
        this.config = endpoint.config();
        this.totals = meters.clientTotals();
    }

    /** Clients send only JSON control messages of at most 4 KiB (PROTOCOL.md): a longer one is a 1009. */
    @Override
    public WsLimits limits(WsLimits server) {
        return ControlMessage.LIMITS;
    }

    @Override
    public void opened(WsConnection connection) {
        this.ws = connection;
    }

    @Override
    public void message(WsConnection connection, WsEvent message) throws IOException {
        if (!(message instanceof WsEvent.Text t)) {
            // RFC 6455 §7.4.1: 1003 "received a type of data it cannot accept" — clients send only JSON text.
            connection.close(WsCloseCodes.UNSUPPORTED_DATA, "send JSON text messages");
            return;
        }
        switch (ControlMessage.parse(t.text())) {
            case ControlMessage.Invalid bad -> error(bad.code(), bad.message());
            case ControlMessage.Hello h when !helloSeen -> hello(h.codecs());
            case ControlMessage.Hello h -> error("bad_state", "hello was already sent");
            case ControlMessage m when !helloSeen -> error("bad_state", "send hello first");
            case ControlMessage.Stats s -> {
                totals.report(s);
                if (!Double.isNaN(s.currentTime())) {
                    clientTime = s.currentTime();
                    clientAt = System.nanoTime();
                }
            }
            case ControlMessage.Resync r -> {
                resync = true;
                wake();
            }
            case ControlMessage.Open o -> error("bad_state", "a live connection watches its channel; no open");
            case ControlMessage.Seek s -> error("bad_state", "live: no seek (send resync to jump to the live edge)");
            case ControlMessage.Play p -> { } // live plays always; accepted so a VOD-minded client is not scolded
            case ControlMessage.Pause p -> { }
            case ControlMessage.Quality q -> error("bad_state", "live: the channel has one rung; no quality choice");
        }
    }

    private void hello(List<String> codecs) throws IOException {
        LiveChannel c = endpoint.join(channelId);
        if (c == null) {
            ws.close(WsCloseCodes.POLICY_VIOLATION, "channel " + channelId + " cannot be streamed");
            return;
        }
        String codec = c.video().codec();
        if (codecs.stream().noneMatch(x -> x.toLowerCase(Locale.ROOT).equals(codec.toLowerCase(Locale.ROOT)))) {
            c.leave();
            error("unsupported_codecs", channelId + " is " + codec + "; the browser decodes none of " + codecs);
            return;
        }
        helloSeen = true;
        channel = c;
        meters.viewerJoined(this);
        if (closed) { // raced with the connection closing
            leaveChannel();
            return;
        }
        meters.senderStarted();
        try {
            sender = Thread.ofVirtual().name("live-viewer-" + channelId).start(this::sendLoop);
        } catch (RuntimeException | Error e) {
            meters.senderEnded();
            leaveChannel();
            throw e;
        }
    }

    @Override
    public void closed(WsConnection connection, int code) {
        closed = true;
        wake();
        Thread s = sender;
        if (s == null) leaveChannel();
    }

    private synchronized void leaveChannel() {
        LiveChannel c = channel;
        if (c != null) {
            channel = null;
            c.leave();
            meters.viewerLeft(this);
        }
    }

    private void wake() {
        LiveChannel c = channel;
        if (c == null) return;
        c.lock.lock();
        try {
            c.published.signalAll();
        } finally {
            c.lock.unlock();
        }
    }

    /** Seconds the player is behind the live edge, from its last stats; NaN before the first. */
    double lagSeconds() {
        LiveChannel c = channel;
        double t = clientTime;
        if (c == null || Double.isNaN(t)) return Double.NaN;
        // The player's clock ran on since it reported: its position now is t + elapsed.
        return c.edgeSeconds() - (t + (System.nanoTime() - clientAt) / 1e9);
    }

    // ---- the sender ----

    private void sendLoop() {
        LiveChannel c = channel;
        try {
            text(meta(c));
            sendInit(c);
            c.lock.lock();
            try {
                while (c.newestKeyframe() < 0 && c.await(TimeUnit.MILLISECONDS.toNanos(200)) && !closed) { }
                cursor = Math.max(0, c.newestKeyframe());
            } finally {
                c.lock.unlock();
            }
            while (!closed) {
                LiveSegment seg = null;
                boolean rejoin = false;
                boolean skipped = false;
                c.lock.lock();
                try {
                    while (!closed && !resync && cursor > c.newest() && System.nanoTime() - lastEdge < EDGE_EVERY_NANOS) {
                        if (!c.await(EDGE_EVERY_NANOS - (System.nanoTime() - lastEdge))) {
                            closed = true;
                        }
                    }
                    if (closed) break;
                    if (resync) {
                        resync = false;
                        rejoin = true;
                        cursor = c.newestKeyframe();
                    } else if (cursor <= c.newest()) {
                        boolean behind = c.newest() - cursor >= config.maxBehind() || cursor < c.oldest();
                        if (behind && c.newestKeyframe() > cursor) {
                            meters.skipped(c.newestKeyframe() - cursor);
                            cursor = c.newestKeyframe();
                            skipped = true;
                        }
                        seg = c.at(cursor++);
                    }
                } finally {
                    c.lock.unlock();
                }
                if (skipped && tooManySkips()) {
                    meters.slowClosed();
                    ws.close(WsCloseCodes.POLICY_VIOLATION, "too slow for live channel " + channelId + ": more than "
                            + config.maxSkips() + " skips to the live edge in " + config.skipWindow().toSeconds() + " s");
                    break;
                }
                if (rejoin) {
                    timeline++;
                    LiveSegment first;
                    c.lock.lock();
                    try {
                        first = c.at(cursor);
                    } finally {
                        c.lock.unlock();
                    }
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("type", "joined");
                    m.put("t", first == null ? c.edgeSeconds() : first.startSeconds());
                    m.put("timeline", timeline);
                    text(Json.write(m));
                    sendInit(c);
                }
                if (seg != null) sendSegment(seg);
                if (System.nanoTime() - lastEdge >= EDGE_EVERY_NANOS) {
                    lastEdge = System.nanoTime();
                    text("{\"type\":\"edge\",\"t\":" + round(c.edgeSeconds()) + "}");
                }
            }
            if (c.stopped() && !ws.closeSent()) ws.close(WsCloseCodes.GOING_AWAY, "live channel stopped");
        } catch (IOException e) {
            // Usually the connection is gone or closing, and the read loop notices. But a segment is a view of the
            // file's mapping, and a file truncated under it fails the write while the socket is fine: the read loop
            // would then wait on a healthy, silent connection for ever (a black-box audit). Drop it either way.
            if (!closed) {
                LOG.fine(() -> "live " + channelId + ": a send failed (" + e.getMessage() + "); connection dropped");
                ws.abort();
            }
        } catch (InterruptedException e) {
            // abortIfStalled interrupted a wait rather than a write: the connection is being dropped all the same
            try {
                ws.close(WsCloseCodes.POLICY_VIOLATION, "too slow for live channel " + channelId);
            } catch (IOException gone) {
                // already gone
            }
        } finally {
            leaveChannel();
            meters.senderEnded();
        }
    }

    private boolean tooManySkips() {
        long now = System.nanoTime();
        skipTimes.addLast(now);
        while (now - skipTimes.getFirst() > config.skipWindow().toNanos()) skipTimes.removeFirst();
        return skipTimes.size() > config.maxSkips();
    }

    private void sendInit(LiveChannel c) throws IOException {
        InitSegment init = c.init();
        SegmentHeader h = new SegmentHeader(SegmentHeader.Track.VIDEO, SegmentHeader.Kind.INIT, false, 0, ++sequence,
                timeline, 0, 0);
        ByteBuffer[] body = init.buffers();
        ByteBuffer[] parts = new ByteBuffer[body.length + 1];
        parts[0] = h.encode();
        System.arraycopy(body, 0, parts, 1, body.length);
        write(parts);
        meters.sent(init.length() + SegmentHeader.LENGTH, 0);
    }

    private void sendSegment(LiveSegment seg) throws IOException {
        SegmentHeader h = new SegmentHeader(SegmentHeader.Track.VIDEO, SegmentHeader.Kind.MEDIA, seg.keyframe(), 0,
                ++sequence, timeline, seg.decodeMs(), seg.presentationMs());
        long copied = SegmentHeader.LENGTH;
        if (config.copyPerViewer()) {
            // The naive variant: the segment copied whole per viewer, as a server without shared views would.
            ByteBuffer copy = ByteBuffer.allocate((int) seg.length());
            for (ByteBuffer b : seg.views()) copy.put(b);
            write(h.encode(), copy.flip());
            copied += seg.length();
        } else {
            ByteBuffer[] body = seg.body(); // sendBinary writes duplicates: the shared buffers are never moved
            ByteBuffer[] parts = new ByteBuffer[body.length + 1];
            parts[0] = h.encode();
            System.arraycopy(body, 0, parts, 1, body.length);
            write(parts);
        }
        meters.sent(seg.length() + SegmentHeader.LENGTH, copied);
        meters.segmentSent();
    }

    private String meta(LiveChannel c) {
        Map<String, Object> track = new LinkedHashMap<>();
        track.put("track", "video");
        track.put("codec", c.video().codec());
        track.put("mime", c.video().mimeType());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "meta");
        m.put("live", true);
        m.put("channel", channelId);
        m.put("codecs", List.of(c.video().codec()));
        m.put("mimes", List.of(c.video().mimeType()));
        m.put("tracks", List.of(track));
        m.put("gop_s", c.gopSeconds());
        m.put("chunk_s", config.chunkSeconds());
        m.put("edge", round(c.edgeSeconds()));
        m.put("timeline", timeline);
        return Json.write(m);
    }

    private static double round(double s) {
        return Math.round(s * 1000) / 1000.0;
    }

    /**
     * Not compressed even when permessage-deflate was agreed: a viewer's control traffic is ~30 bytes a second
     * ({@code edge}), and a {@code Deflater} costs ~256 KiB of native memory per connection — 1.25 GiB for 5,000
     * viewers to save a few bytes each.
     */
    private void text(String json) throws IOException {
        ws.sendText(ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8)));
    }

    /** One message from the sender thread, timed so a stalled write can be found ({@link #abortIfStalled}). */
    private void write(ByteBuffer... parts) throws IOException {
        writingSince = System.nanoTime() | 1; // never 0
        try {
            ws.sendBinary(parts);
        } finally {
            writingSince = 0;
        }
    }

    /**
     * Aborts the connection when the sender has been blocked in one write for longer than
     * {@link LiveConfig#stallClose()}: interrupting a thread blocked on a {@code SocketChannel} closes the channel
     * (an {@code InterruptibleChannel}), the only way out of a write nobody reads. Called by the producer.
     */
    boolean abortIfStalled(long now) {
        long since = writingSince;
        Thread s = sender;
        if (since == 0 || aborted || s == null || now - since < config.stallClose().toNanos()) return false;
        aborted = true;
        meters.slowClosed();
        s.interrupt();
        return true;
    }

    private void error(String code, String message) throws IOException {
        meters.badMessage();
        long now = System.nanoTime();
        badTimes.addLast(now);
        while (now - badTimes.getFirst() > BAD_WINDOW_NANOS) badTimes.removeFirst();
        if (badTimes.size() > MAX_BAD) {
            ws.close(WsCloseCodes.POLICY_VIOLATION, "more than " + MAX_BAD + " bad messages in 10 s");
            return;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "error");
        m.put("code", code);
        m.put("message", message == null ? "" : message);
        text(Json.write(m));
    }
}
