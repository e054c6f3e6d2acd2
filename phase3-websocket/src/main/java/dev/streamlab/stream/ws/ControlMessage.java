package dev.streamlab.stream.ws;

import dev.streamlab.shared.json.JsonParser;
import dev.streamlab.shared.text.ClientText;
import dev.streamlab.websocket.WsLimits;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A text message from the client of {@code /ws/stream}: a JSON object with a {@code "type"} (PROTOCOL.md,
 * "Client → server"). Anything that is not one of the commands becomes an {@link Invalid} carrying the error
 * code to answer with, so the caller handles every message with one {@code switch} and no exception.
 */
public sealed interface ControlMessage {
    /** Longest control message accepted; a hello with a long codec list is well under it. */
    int MAX_LENGTH = 4096;

    /** A control connection's limits: no frame or message past {@link #MAX_LENGTH} (1009 from the header). */
    WsLimits LIMITS = new WsLimits(MAX_LENGTH, MAX_LENGTH);

    /** The RFC 6381 codec strings the browser can decode ({@code MediaSource.isTypeSupported} said yes). */
    record Hello(List<String> codecs) implements ControlMessage {
        public Hello {
            codecs = List.copyOf(codecs);
        }
    }

    /** Stream this catalog id. */
    record Open(String video) implements ControlMessage {}

    record Play() implements ControlMessage {}

    record Pause() implements ControlMessage {}

    /** Jump to the keyframe at or before {@code seconds}. */
    record Seek(double seconds) implements ControlMessage {}

    /** Send fresh init segments and continue from the next keyframe. */
    record Resync() implements ControlMessage {}

    /**
     * The client's buffer: seconds buffered ahead of its playhead, the playhead, and the throughput it measured
     * over back-to-back messages in bits/s ({@code NaN} when not sent); and its running totals since it started
     * playing this stream: frames dropped ({@code getVideoPlaybackQuality().droppedVideoFrames}) and stalls
     * ({@link #NOT_SENT} when not sent).
     */
    record Stats(double bufferedSeconds, double currentTime, double rxBps, long dropped, long stalls)
            implements ControlMessage {
        /** {@code dropped} or {@code stalls} the client did not send. */
        public static final long NOT_SENT = -1;

        Stats(double bufferedSeconds, double currentTime) {
            this(bufferedSeconds, currentTime, Double.NaN);
        }

        Stats(double bufferedSeconds, double currentTime, double rxBps) {
            this(bufferedSeconds, currentTime, rxBps, NOT_SENT, NOT_SENT);
        }
    }

    /** Pin rung {@code rung} (an index into meta's {@code rungs}), or {@link #AUTO} for adaptive. */
    record Quality(int rung) implements ControlMessage {
        public static final int AUTO = -1;
    }

    /** Not a command: answer {@code error {code, message}}; counts toward the bad-message limit. */
    record Invalid(String code, String message) implements ControlMessage {}

    /** Parses one text message; never throws. */
    static ControlMessage parse(String text) {
        Map<String, Object> m;
        try {
            m = JsonParser.parseObject(text, MAX_LENGTH);
        } catch (JsonParser.JsonException e) {
            return new Invalid("bad_json", e.getMessage());
        }
        if (!(m.get("type") instanceof String type)) return new Invalid("bad_message", "no \"type\" string");
        return switch (type) {
            case "hello" -> hello(m.get("codecs"));
            case "open" -> m.get("video") instanceof String v && !v.isEmpty() ? new Open(v)
                    : new Invalid("bad_message", "open needs \"video\": a catalog id");
            case "play" -> new Play();
            case "pause" -> new Pause();
            case "seek" -> m.get("t") instanceof Number t && Double.isFinite(t.doubleValue()) && t.doubleValue() >= 0
                    ? new Seek(t.doubleValue()) : new Invalid("bad_message", "seek needs \"t\": seconds >= 0");
            case "resync" -> new Resync();
            case "stats" -> stats(m);
            case "quality" -> quality(m.get("rung"));
            default -> new Invalid("unknown_type", "unknown message type \"" + ClientText.shorten(type, 40) + "\"");
        };
    }

    private static ControlMessage stats(Map<String, Object> m) {
        // A buffer ahead of the playhead and a playhead position are never negative: a report that says so is a
        // broken client, answered as one rather than fed into the pacing clock and the bitrate choice.
        if (!(m.get("buffered_s") instanceof Number b) || !Double.isFinite(b.doubleValue()) || b.doubleValue() < 0) {
            return new Invalid("bad_message", "stats needs \"buffered_s\": seconds >= 0");
        }
        double t = Double.NaN;
        if (m.containsKey("t")) {
            if (!(m.get("t") instanceof Number n) || !Double.isFinite(n.doubleValue()) || n.doubleValue() < 0) {
                return new Invalid("bad_message", "stats: \"t\" is the playhead in seconds >= 0");
            }
            t = n.doubleValue();
        }
        double rx = Double.NaN;
        if (m.containsKey("rx_bps")) {
            if (!(m.get("rx_bps") instanceof Number r) || !Double.isFinite(r.doubleValue()) || r.doubleValue() < 0) {
                return new Invalid("bad_message", "stats: \"rx_bps\" is bits/s >= 0");
            }
            rx = r.doubleValue();
        }
        Long dropped = count(m, "dropped");
        Long stalls = count(m, "stalls");
        if (dropped == null || stalls == null) {
            return new Invalid("bad_message", "stats: \"" + (dropped == null ? "dropped" : "stalls")
                    + "\" is a whole number >= 0 (a running total)");
        }
        return new Stats(b.doubleValue(), t, rx, dropped, stalls);
    }

    /**
     * An optional running total: {@link Stats#NOT_SENT} when absent, null unless a whole number up to 2^53 - 1
     * (JavaScript's safe integers, what a player's counter can be).
     */
    private static Long count(Map<String, Object> m, String key) {
        if (!m.containsKey(key)) return Stats.NOT_SENT;
        return wholeNumber(m.get(key), 9_007_199_254_740_991d) ? ((Number) m.get(key)).longValue() : null;
    }

    /** Whether {@code v} is a JSON number with no fraction in {@code [0, max]}. */
    private static boolean wholeNumber(Object v, double max) {
        return v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue()) && n.doubleValue() >= 0
                && n.doubleValue() <= max;
    }

    /** {@code "rung": N} (a whole number >= 0; the session checks it against the ladder) or {@code "auto"}. */
    private static ControlMessage quality(Object rung) {
        if ("auto".equals(rung)) return new Quality(Quality.AUTO);
        if (wholeNumber(rung, 0xFFFF)) return new Quality(((Number) rung).intValue());
        return new Invalid("bad_message", "quality needs \"rung\": a rung index or \"auto\"");
    }

    private static ControlMessage hello(Object codecs) {
        if (!(codecs instanceof List<?> list)) return new Invalid("bad_message", "hello needs \"codecs\": [strings]");
        List<String> out = new ArrayList<>();
        for (Object c : list) {
            if (!(c instanceof String s)) return new Invalid("bad_message", "hello: every codec is a string");
            out.add(s);
        }
        return new Hello(out);
    }

}
