package dev.streamlab.stream.abr;

import dev.streamlab.catalog.Catalog;
import dev.streamlab.catalog.VideoEntry;
import dev.streamlab.mp4.FourCC;
import dev.streamlab.mp4.KeyframeIndex;
import dev.streamlab.mp4.Movie;
import dev.streamlab.mp4.SampleTable;
import dev.streamlab.mp4.Track;
import dev.streamlab.mp4.TrackKind;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * A bitrate ladder: the catalog videos that are the same content at different sizes, so a player can switch
 * between them at any keyframe (issue 6). Found, not configured: a video belongs to a ladder with the other
 * catalog videos of its folder that
 * <ul>
 *   <li>have a video track and the same duration (±{@link #DURATION_TOLERANCE_S} s), and</li>
 *   <li>have identical video keyframe instants (each within {@link #KEYFRAME_TOLERANCE_S} s, same count) — the
 *       condition for a switch that needs no overlap: segment k of every rung covers the same span.</li>
 * </ul>
 * A video without such siblings is a ladder of one rung: itself.
 *
 * @param rungs ascending by {@link Rung#videoBandwidth()}
 */
public record Ladder(List<Rung> rungs) {
    public static final double DURATION_TOLERANCE_S = 0.1;
    /** Half a frame at 1000 fps: "identical" within the rounding of different timescales. */
    public static final double KEYFRAME_TOLERANCE_S = 0.0005;

    /**
     * One rung.
     *
     * @param video          the catalog id
     * @param file           the file
     * @param codec          the video codec string (RFC 6381); rungs may differ in profile or level
     * @param width          video width, pixels
     * @param height         video height, pixels
     * @param videoBandwidth peak video bits/s: the {@code btrt} box's maxBitrate when the file declares one (as
     *                       an HLS BANDWIDTH or DASH {@code @bandwidth}, a declared peak), else the highest bitrate
     *                       of one GOP measured from the sample table
     * @param audioBandwidth the audio track's bits/s ({@code btrt} maxBitrate, else its average), 0 without audio
     */
    public record Rung(String video, Path file, String codec, int width, int height, long videoBandwidth,
                       long audioBandwidth) {}

    public Ladder {
        rungs = List.copyOf(rungs);
        if (rungs.isEmpty()) throw new IllegalArgumentException("a ladder has at least one rung");
    }

    /** The rung index of catalog id {@code video}, or -1. */
    public int indexOf(String video) {
        for (int i = 0; i < rungs.size(); i++) if (rungs.get(i).video().equals(video)) return i;
        return -1;
    }

    /**
     * The ladder {@code entry} belongs to: its folder's siblings that match it (see the class comment), or just
     * itself. {@code entry} must have parsed ({@link VideoEntry#ok()}).
     */
    public static Ladder of(Catalog catalog, VideoEntry entry) {
        Optional<Rung> self = rung(entry);
        if (self.isEmpty()) return new Ladder(List.of(bare(entry)));
        Track video = entry.mp4().movie().first(TrackKind.VIDEO).orElseThrow();
        double[] keyframes = video.keyframes().seconds();
        double duration = entry.mp4().durationSeconds();
        String folder = folder(entry.relativeName());
        List<Rung> out = new ArrayList<>();
        for (VideoEntry other : catalog.list()) {
            if (other.id().equals(entry.id())) {
                out.add(self.get());
                continue;
            }
            if (!other.ok() || !folder(other.relativeName()).equals(folder)) continue;
            if (Math.abs(other.mp4().durationSeconds() - duration) > DURATION_TOLERANCE_S) continue;
            Optional<Track> v = other.mp4().movie().first(TrackKind.VIDEO);
            if (v.isEmpty() || !sameInstants(keyframes, v.get().keyframes().seconds())) continue;
            rung(other).ifPresent(out::add);
        }
        out.sort(Comparator.comparingLong(Rung::videoBandwidth).thenComparingInt(Rung::height)
                .thenComparing(Rung::video));
        return new Ladder(out);
    }

    static boolean sameInstants(double[] a, double[] b) {
        if (a.length != b.length) return false;
        for (int i = 0; i < a.length; i++) if (Math.abs(a[i] - b[i]) > KEYFRAME_TOLERANCE_S) return false;
        return true;
    }

    private static String folder(String relativeName) {
        String name = relativeName.replace('\\', '/');
        int slash = name.lastIndexOf('/');
        return slash < 0 ? "" : name.substring(0, slash);
    }

    /** A rung for a video with a video track; empty for an audio-only (or unparsed) one. */
    private static Optional<Rung> rung(VideoEntry e) {
        if (!e.ok()) return Optional.empty();
        Movie movie = e.mp4().movie();
        Optional<Track> v = movie.first(TrackKind.VIDEO);
        if (v.isEmpty()) return Optional.empty();
        Track video = v.get();
        long videoBps = declaredMaxBitrate(video).orElseGet(() -> peakGopBitrate(video));
        long audioBps = movie.first(TrackKind.AUDIO).map(a -> declaredMaxBitrate(a).orElseGet(a::bitrate)).orElse(0L);
        return Optional.of(new Rung(e.id(), e.file(), video.codec(), video.entry().width(), video.entry().height(),
                videoBps, audioBps));
    }

    private static Rung bare(VideoEntry e) {
        long audio = e.ok() ? e.mp4().movie().first(TrackKind.AUDIO).map(Track::bitrate).orElse(0L) : 0;
        return new Rung(e.id(), e.file(), "", 0, 0, 0, audio);
    }

    /**
     * {@code btrt} (ISO/IEC 14496-12 §8.5.2.2, BitRateBox: bufferSizeDB, maxBitrate, avgBitrate) among the sample
     * entry's child boxes; ffmpeg writes it for H.264 and AAC.
     */
    static Optional<Long> declaredMaxBitrate(Track t) {
        ByteBuffer e = t.entry().entry();
        // Box header (8), then the fields before the child boxes: VisualSampleEntry 78 bytes, AudioSampleEntry
        // (version 0) 28 bytes (§8.5.2.2, §12.2.3).
        int fields = t.kind() == TrackKind.VIDEO ? 78 : t.kind() == TrackKind.AUDIO ? 28 : -1;
        if (fields < 0) return Optional.empty();
        int p = e.position() + 8 + fields;
        int end = e.limit();
        while (p + 8 <= end) {
            long size = Integer.toUnsignedLong(e.getInt(p));
            if (size < 8 || p + size > end) break;
            if (e.getInt(p + 4) == FourCC.of("btrt") && size >= 20) {
                long max = Integer.toUnsignedLong(e.getInt(p + 12));
                return max > 0 ? Optional.of(max) : Optional.empty();
            }
            p += (int) size;
        }
        return Optional.empty();
    }

    /** The highest bitrate of one GOP (keyframe to keyframe), bits/s: what a rung needs at its worst moment. */
    static long peakGopBitrate(Track t) {
        SampleTable s = t.samples();
        KeyframeIndex k = t.keyframes();
        long peak = 0;
        for (int g = 0; g < k.size(); g++) {
            int from = k.get(g).sample();
            int to = g + 1 < k.size() ? k.get(g + 1).sample() : s.count();
            long bytes = 0;
            for (int i = from; i < to; i++) bytes += s.size(i);
            long ticks = (to < s.count() ? s.decodeTime(to) : s.totalDuration()) - s.decodeTime(from);
            if (ticks > 0) peak = Math.max(peak, Math.round(bytes * 8.0 * t.timescale() / ticks));
        }
        return peak > 0 ? peak : t.bitrate();
    }
}
