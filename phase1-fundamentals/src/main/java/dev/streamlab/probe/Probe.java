package dev.streamlab.probe;

import dev.streamlab.mp4.BoxNode;
import dev.streamlab.mp4.Mp4File;
import dev.streamlab.mp4.Mp4FormatException;
import dev.streamlab.mp4.Track;
import dev.streamlab.mp4.TrackKind;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** What {@code ./lab probe} reports about an MP4, as a JSON-ready map or as ffprobe-like text. */
public final class Probe {
    private Probe() {}

    /**
     * The report as nested maps, in the shape
     * {@code {"format":{"duration_s","size","major_brand","faststart"},"tracks":[{"id","kind","codec","width",
     * "height","timescale","duration_s","start_s","media_duration_s","sample_count","bitrate","keyframes_s":[...]}]}}.
     * Keyframe times are presentation times in seconds (edit list applied), as ffprobe reports them.
     *
     * <p>A track's {@code duration_s} is {@link Track#duration()}, as it has always been: where it ends on the movie
     * timeline, but for B-frames without an edit list (below); {@code start_s} and {@code media_duration_s} are
     * ffprobe's stream {@code start_time} and {@code duration}: where it starts and how long it plays from there.
     * The two durations differ (beyond a muxer's rounding) for a track an empty edit delays: by 0.5 s, start 0.5,
     * media duration 10, duration 10.5. A B-frame track without an edit list starts at its first composition
     * offset yet keeps {@code duration_s} = the sum of its sample durations, as ISO/IEC 14496-12 §8.3.2.3 and
     * ffprobe have it (see {@link Track#duration()}): start 0.083, media duration 10, duration 10, ends at 10.083.
     */
    public static Map<String, Object> report(Mp4File file) {
        Map<String, Object> format = new LinkedHashMap<>();
        format.put("duration_s", round3(file.durationSeconds()));
        format.put("size", file.size());
        format.put("major_brand", file.majorBrand().isEmpty() ? null : file.majorBrand());
        format.put("compatible_brands", file.compatibleBrands());
        format.put("faststart", file.moovBeforeMdat());
        List<Object> tracks = new ArrayList<>();
        for (Track t : file.movie().tracks()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", t.id());
            m.put("kind", t.kind().id());
            m.put("codec", t.codec());
            if (t.kind() == TrackKind.VIDEO) {
                m.put("width", t.entry().width());
                m.put("height", t.entry().height());
            }
            if (t.kind() == TrackKind.AUDIO) {
                m.put("channels", t.entry().channels());
                m.put("sample_rate", t.entry().sampleRate());
            }
            m.put("timescale", t.timescale());
            m.put("duration_s", round3(t.durationSeconds()));
            m.put("start_s", round6(t.startSeconds()));
            m.put("media_duration_s", round6(t.playDurationSeconds()));
            m.put("sample_count", t.samples().count());
            m.put("bitrate", t.bitrate());
            List<Object> keys = new ArrayList<>();
            for (double s : t.keyframes().seconds()) keys.add(round6(s));
            m.put("keyframes_s", keys);
            tracks.add(m);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("format", format);
        out.put("tracks", tracks);
        return out;
    }

    /** A short human summary, one line for the file and one per track. */
    public static String text(String name, Mp4File file) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%s: %,d bytes, %.3f s, brand %s%s, %s%n", name, file.size(),
                file.durationSeconds(), file.majorBrand().isEmpty() ? "(none)" : file.majorBrand(),
                file.compatibleBrands().isEmpty() ? "" : " " + file.compatibleBrands(),
                file.moovBeforeMdat() ? "moov before mdat (faststart)"
                        : "moov AFTER mdat: a browser must fetch the end of the file before it can start"));
        for (Track t : file.movie().tracks()) {
            String detail = switch (t.kind()) {
                case VIDEO -> t.entry().width() + "x" + t.entry().height();
                case AUDIO -> t.entry().channels() + " ch " + t.entry().sampleRate() + " Hz";
                case OTHER -> "handler " + dev.streamlab.mp4.FourCC.toString(t.handler());
            };
            double[] keys = t.keyframes().seconds();
            String keyInfo = t.samples().allKeyframes() ? "every sample is a keyframe"
                    : keys.length + " keyframes" + (keys.length > 1 ? String.format(Locale.ROOT,
                    " (first at %.3f s, every %.2f s on average)", keys[0],
                    (keys[keys.length - 1] - keys[0]) / (keys.length - 1)) : "");
            // The duration column is how long the track plays, ffprobe's stream duration; a track that starts
            // later than 0 says where and why, so its end (the file's duration, when it is the longest) adds up.
            sb.append(String.format(Locale.ROOT, "  track %d %-5s %-14s %-14s %8.3f s %7d samples %6d kb/s  %s%s%s%n",
                    t.id(), t.kind().id(), t.codec(), detail, t.playDurationSeconds(), t.samples().count(),
                    Math.round(t.bitrate() / 1000.0), start(t), keyInfo,
                    t.samples().hasCompositionOffsets() ? ", B-frames (ctts)" : ""));
        }
        return sb.toString();
    }

    /**
     * "starts at 0.500 s (...), ends at 10.500 s, " for a track that does not start at 0 on the movie timeline,
     * else nothing. Why it starts late: a leading empty edit (ffmpeg {@code -itsoffset}), or, without one, the
     * first frame's composition offset that no edit list takes back.
     */
    private static String start(Track t) {
        if (t.start() == 0) return "";
        String why = t.edits().delay() > 0
                ? String.format(Locale.ROOT, "after a %.3f s empty edit", (double) t.edits().delay() / t.timescale())
                : t.edits().entries() == 0 ? "its first composition time; no edit list moves it to 0"
                : "its first composition time is after the edit's media_time";
        return String.format(Locale.ROOT, "starts at %.3f s (%s), ends at %.3f s, ", t.startSeconds(), why,
                t.startSeconds() + t.playDurationSeconds());
    }

    /** The box tree, indented, with offsets and sizes. */
    public static String boxes(Mp4File file) throws Mp4FormatException {
        StringBuilder sb = new StringBuilder();
        for (BoxNode n : file.tree()) boxes(sb, n, 0);
        return sb.toString();
    }

    /**
     * The box tree as JSON-ready values: {@code [{"type","offset","size","children":[...]}]}, children only on
     * boxes that have some. Phase 2's {@code /api/videos/{id}/boxes} serves the same tree.
     */
    public static List<Object> boxTree(Mp4File file) throws Mp4FormatException {
        List<Object> tree = new ArrayList<>();
        for (BoxNode n : file.tree()) tree.add(node(n));
        return tree;
    }

    private static Map<String, Object> node(BoxNode n) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", n.type());
        m.put("offset", n.offset());
        m.put("size", n.size());
        if (!n.children().isEmpty()) {
            List<Object> kids = new ArrayList<>();
            for (BoxNode c : n.children()) kids.add(node(c));
            m.put("children", kids);
        }
        return m;
    }

    private static void boxes(StringBuilder sb, BoxNode n, int depth) {
        sb.append(String.format(Locale.ROOT, "%s%-4s  offset %,12d  size %,12d%n", "  ".repeat(depth), n.type(),
                n.offset(), n.size()));
        for (BoxNode c : n.children()) boxes(sb, c, depth + 1);
    }

    private static double round3(double v) {
        return Math.round(v * 1e3) / 1e3;
    }

    private static double round6(double v) {
        return Math.round(v * 1e6) / 1e6;
    }
}
