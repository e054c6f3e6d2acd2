package dev.streamlab.catalog;

import dev.streamlab.mp4.Keyframe;
import dev.streamlab.mp4.KeyframeIndex;
import dev.streamlab.mp4.Mp4File;
import dev.streamlab.mp4.Mp4FormatException;
import dev.streamlab.mp4.Track;
import dev.streamlab.mp4.TrackKind;
import dev.streamlab.probe.Probe;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The catalog and the MP4 explainer as JSON-ready maps (the API contract the player is written against). */
public final class CatalogJson {
    private CatalogJson() {}

    public static Map<String, Object> entry(VideoEntry e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", e.id());
        m.put("title", e.title());
        m.put("file", e.relativeName());
        m.put("url", "/videos/" + e.id());
        m.put("size", e.size());
        if (!e.ok()) {
            m.put("error", e.error());
            return m;
        }
        Mp4File mp4 = e.mp4();
        List<String> codecs = new ArrayList<>();
        for (Track t : mp4.movie().tracks()) if (t.kind() != TrackKind.OTHER) codecs.add(t.codec());
        m.put("duration_s", Math.round(mp4.durationSeconds() * 1000) / 1000.0);
        m.put("codecs", codecs);
        m.put("mime", "video/mp4; codecs=\"" + String.join(", ", codecs) + "\"");
        var video = mp4.movie().first(TrackKind.VIDEO);
        m.put("width", video.map(t -> t.entry().width()).orElse(0));
        m.put("height", video.map(t -> t.entry().height()).orElse(0));
        double seconds = mp4.durationSeconds();
        m.put("bitrate", seconds > 0 ? Math.round(e.size() * 8 / seconds) : 0);
        m.put("keyframes", video.map(t -> t.samples().keyframeCount()).orElse(0));
        m.put("faststart", mp4.moovBeforeMdat());
        return m;
    }

    /**
     * Keyframes listed by {@link #boxes}, the first ones; {@code keyframes_total} says how many there are. A file
     * whose every sample is a keyframe can have millions (the player's panel shows 300).
     */
    public static final int MAX_KEYFRAMES_LISTED = 1000;

    /** The explainer: box tree with offsets, the keyframe ↔ time ↔ byte map, and plain-language warnings. */
    public static Map<String, Object> boxes(VideoEntry e) throws Mp4FormatException {
        Mp4File mp4 = e.mp4();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", e.id());
        m.put("boxes", Probe.boxTree(mp4)); // the probe's --json --boxes tree: one shape in both places
        List<Object> keys = new ArrayList<>();
        int total = 0;
        var video = mp4.movie().first(TrackKind.VIDEO);
        if (video.isPresent()) {
            KeyframeIndex index = video.get().keyframes();
            total = index.size();
            for (int i = 0; i < Math.min(total, MAX_KEYFRAMES_LISTED); i++) {
                Keyframe k = index.get(i);
                Map<String, Object> km = new LinkedHashMap<>();
                km.put("time_s", Math.round(k.seconds() * 1e6) / 1e6);
                km.put("offset", k.offset());
                km.put("sample", k.sample());
                keys.add(km);
            }
        }
        m.put("keyframes", keys);
        m.put("keyframes_total", total);
        m.put("warnings", warnings(mp4));
        return m;
    }

    /** What a support engineer would point out first. */
    public static List<String> warnings(Mp4File mp4) {
        List<String> w = new ArrayList<>();
        if (!mp4.moovBeforeMdat()) {
            w.add("moov is at the end: the browser must fetch the tail before it can start (fix: ffmpeg -movflags"
                    + " +faststart)");
        }
        var video = mp4.movie().first(TrackKind.VIDEO);
        if (video.isEmpty()) w.add("no video track: audio only");
        video.ifPresent(v -> {
            KeyframeIndex k = v.keyframes();
            if (k.size() == 0) {
                w.add("the video track has no keyframe: nothing can be decoded");
                return;
            }
            double first = k.get(0).seconds();
            if (first > 0.001) {
                w.add(String.format(Locale.ROOT, "first keyframe at %.3f s: the start cannot be shown", first));
            }
            if (k.size() > 1) {
                double gap = 0;
                for (int i = 1; i < k.size(); i++) gap = Math.max(gap, k.get(i).seconds() - k.get(i - 1).seconds());
                if (gap > 5) {
                    w.add(String.format(Locale.ROOT, "keyframes up to %.1f s apart: seeking lands coarsely and"
                            + " adaptive streaming cannot switch often", gap));
                }
            } else if (v.durationSeconds() > 5) {
                w.add("a single keyframe: every seek decodes from the start");
            }
            if (!v.codec().startsWith("avc")) {
                w.add("video codec " + v.codec() + " is not H.264: check the browser supports it");
            }
        });
        if (mp4.movie().tracks().stream().filter(t -> t.kind() == TrackKind.VIDEO).count() > 1) {
            w.add("more than one video track: browsers play the first");
        }
        return w;
    }
}
