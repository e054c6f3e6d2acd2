package dev.streamlab.stream.fmp4;

import dev.streamlab.mp4.Box;
import dev.streamlab.mp4.FourCC;
import dev.streamlab.mp4.Movie;
import dev.streamlab.mp4.Mp4File;
import dev.streamlab.mp4.Mp4FormatException;
import dev.streamlab.mp4.PayloadReader;
import dev.streamlab.mp4.Track;
import dev.streamlab.mp4.TrackKind;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Remuxes a progressive MP4 into fragmented MP4 (ISO/IEC 14496-12 §8.8) on the fly, as Media Source Extensions'
 * "ISO BMFF byte stream format" wants it: per track, one {@link InitSegment} and a list of media
 * {@link Segment}s.
 *
 * <pre>
 *   Fmp4Remuxer fmp4 = Fmp4Remuxer.open(Path.of("media/sample-30s-360p-h264-aac.mp4"));
 *   Fmp4Track video = fmp4.video().orElseThrow();
 *   try (FileChannel out = FileChannel.open(Path.of("video.mp4"), CREATE, WRITE)) {
 *       video.init().writeTo(out);
 *       for (int i = 0; i &lt; video.segmentCount(); i++) video.segment(i).writeTo(out);
 *   }
 * </pre>
 *
 * <h2>Decisions</h2>
 * <ul>
 *   <li><b>Separate tracks, not muxed.</b> Each track has its own init segment and its own segments (one
 *       {@code traf} per {@code moof}). MSE wants a SourceBuffer per track anyway for robust playback, an ABR
 *       switch replaces the video init and segments without touching audio, and a client can fetch the two
 *       tracks at their own pace. The cost is two SourceBuffers on the client and two appends per time span.</li>
 *   <li><b>Segment boundaries.</b> Video: one segment per GOP, from a sync sample to the next, in decode order
 *       ({@link Cut.Gop}); or chunks of at most N frames that restart at every keyframe ({@link Cut.Chunks}) for
 *       low latency. Audio follows video: audio segment k starts with the audio frame playing when video segment
 *       k starts, so the two cover the same span and seeking to video segment k finds audio from that instant.
 *       Without video, audio is cut every {@link Cut#AUDIO_ONLY_SECONDS} s (or every N frames).</li>
 *   <li><b>Edit lists.</b> The source's edit list is reduced by phase 1 to a leading empty edit ({@code delay})
 *       and the media time the first real edit starts at ({@code mediaTime}: B-frame reorder delay for video,
 *       AAC encoder priming for audio). The init segment carries {@code mediaTime} as a single-entry
 *       {@code elst} with duration 0 — the one edit list form MSE requires user agents to support (byte stream
 *       format §3), and what ISO/IEC 14496-12 §8.6.6.1 recommends for an empty initial movie with composition
 *       offsets. Decode times and composition offsets are copied unchanged, so every sample's presentation time
 *       (decode time + offset − mediaTime) equals the source's: the first frame of a B-frame stream is at 0,
 *       and the AAC priming frame stays at −1024/48000 s, decoded (so the next frame is right) and then dropped
 *       by MSE's append window (which starts at 0) and by FFmpeg. The {@code delay} is added to every decode
 *       time ({@code tfdt}) instead of written as an empty edit, which Chromium would ignore. Alternatives
 *       rejected: shifting decode times down by mediaTime makes the first audio decode time negative, which
 *       {@code tfdt} cannot hold; negative composition offsets (trun v1) fix video but not audio priming.
 *       Edit lists with more than one media edit, or a rate other than 1, are reduced to their first media
 *       edit, as phase 1 does. Negative composition offsets are made non-negative by adding the same amount to
 *       every offset and to that media_time ({@link #compositionShift}).</li>
 *   <li><b>Zero copy.</b> The file is mapped once ({@code FileChannel.map}); sample data leave as views of the
 *       mapping, never copied in user space; see {@link Segment}.</li>
 *   <li><b>Refusals.</b> Anything the remuxer cannot turn into correct segments is refused at {@link #open} with a
 *       {@link RemuxException} naming the problem; no half-made segment ever exists.</li>
 * </ul>
 *
 * <p>Of a file's tracks, the first video and the first audio track are remuxed; others are ignored.
 */
public final class Fmp4Remuxer {
    /** Sample entries passed through unchanged; each has an ISO BMFF binding that MSE implementations accept. */
    private static final Set<Integer> VIDEO_FORMATS = Set.of(FourCC.AVC1, FourCC.AVC3, FourCC.HVC1, FourCC.HEV1,
            FourCC.VP09, FourCC.AV01);
    private static final Set<Integer> AUDIO_FORMATS = Set.of(FourCC.MP4A, FourCC.OPUS, FourCC.FLAC);
    /** The 52 bytes of tkhd from layer to height (§8.3.2): the track's presentation, copied into the init. */
    private static final int TKHD_PRESENTATION = 52;

    private final Path file;
    private final Cut cut;
    private final Optional<Fmp4Track> video;
    private final Optional<Fmp4Track> audio;
    private final double durationSeconds;

    private Fmp4Remuxer(Path file, Cut cut, Optional<Fmp4Track> video, Optional<Fmp4Track> audio,
                        double durationSeconds) {
        this.file = file;
        this.cut = cut;
        this.video = video;
        this.audio = audio;
        this.durationSeconds = durationSeconds;
    }

    /** {@link #open(Path, Cut)} with one segment per GOP. */
    public static Fmp4Remuxer open(Path file) throws IOException {
        return open(file, Cut.gop());
    }

    /**
     * Parses {@code file}, checks that its tracks can be remuxed, maps it and plans the segments. No segment is
     * built until asked for.
     *
     * @throws Mp4FormatException when the file is not a well-formed MP4 (phase 1's parser says where)
     * @throws RemuxException     when it is well formed but cannot be remuxed: no video or audio track, a track
     *                            without samples, video without a keyframe, a sample entry that cannot pass
     * @throws IOException        when the file cannot be read or mapped
     */
    public static Fmp4Remuxer open(Path file, Cut cut) throws IOException {
        Mp4File mp4 = Mp4File.open(file);
        Movie movie = mp4.movie();
        Optional<Track> v = movie.first(TrackKind.VIDEO);
        Optional<Track> a = movie.first(TrackKind.AUDIO);
        if (v.isEmpty() && a.isEmpty()) {
            throw new RemuxException(RemuxException.Problem.NO_PLAYABLE_TRACK, 0, "no video or audio track among "
                    + movie.tracks().size() + " tracks: nothing a browser could play");
        }
        if (v.isPresent()) check(v.get(), VIDEO_FORMATS);
        if (a.isPresent()) check(a.get(), AUDIO_FORMATS);

        MappedMedia media = MappedMedia.map(file);
        Cuts.Plan videoPlan = v.map(t -> Cuts.video(t, cut)).orElse(null);
        Optional<Fmp4Track> video = v.map(t -> track(mp4, t, media, videoPlan));
        Optional<Fmp4Track> audio = a.map(t -> track(mp4, t, media, videoPlan == null ? Cuts.alone(t, cut)
                : Cuts.following(t, videoPlan.times(), v.get().timescale())));
        return new Fmp4Remuxer(file, cut, video, audio, mp4.durationSeconds());
    }

    private static Fmp4Track track(Mp4File mp4, Track t, MappedMedia media, Cuts.Plan plan) {
        long shift = compositionShift(t);
        InitSegment init = InitSegmentWriter.write(t, presentation(mp4, t.id()), mp4.movie().timescale(), shift);
        return new Fmp4Track(t, media, init, plan, shift);
    }

    /**
     * Ticks added to every composition offset so that none is negative, and to the init segment's edit
     * media_time so that no presentation time moves: {@code -min(offset)}, 0 for a track without negative ones.
     *
     * <p>A source may store negative offsets (ctts v1, {@code ffmpeg -movflags negative_cts_offsets}) with a
     * decode timeline that starts where presentation does: its first frame decodes at 0 and its next B-frame is
     * presented before it is decoded. A progressive demuxer repairs that from the whole ctts (FFmpeg derives a
     * decode shift, §8.6.1.4's cslg says the same); in fragments nobody sees the whole table, and copied as is
     * they made FFmpeg present the whole track one frame late. Shifted, it is the layout muxers write by default:
     * offsets ≥ 0, the reorder delay in the edit list, which MSE honours (byte stream format §3).
     */
    static long compositionShift(Track t) {
        var samples = t.samples();
        if (!samples.hasCompositionOffsets()) return 0;
        long min = 0;
        long max = 0;
        for (int i = 0; i < samples.count(); i++) {
            min = Math.min(min, samples.compositionOffset(i));
            max = Math.max(max, samples.compositionOffset(i));
        }
        // trun v1 offsets are signed 32-bit: a shift that would overflow them is not made (no real file gets here).
        return max - min > Integer.MAX_VALUE ? 0 : -min;
    }

    /** Refuses what cannot become correct segments; each check names what the student can do about it. */
    private static void check(Track t, Set<Integer> formats) throws RemuxException {
        String kind = t.kind().id();
        if (t.samples().count() == 0) {
            throw new RemuxException(RemuxException.Problem.NO_SAMPLES, t.id(), "the " + kind
                    + " track has no samples: there is nothing to put in a segment");
        }
        if (t.samples().keyframeCount() == 0) {
            throw new RemuxException(RemuxException.Problem.NO_KEYFRAME, t.id(), "the " + kind + " track's stss"
                    + " lists no sync sample, so no segment could start with a random access point"
                    + " (re-encode, or fix the stss)");
        }
        ByteBuffer entry = t.entry().entry();
        if (!formats.contains(t.entry().format())) {
            throw new RemuxException(RemuxException.Problem.UNSUPPORTED_CODEC, t.id(), "the " + kind
                    + " sample entry '" + t.entry().formatName() + "' is not one the remuxer passes to browsers "
                    + "(supported: " + names(formats) + ")");
        }
        // SampleEntry (§8.5.2.2): 6 reserved bytes, then data_reference_index; ours is the init's only dref entry.
        int dataReference = entry.getShort(entry.position() + 14) & 0xFFFF;
        if (dataReference != 1) {
            throw new RemuxException(RemuxException.Problem.UNSUPPORTED_CODEC, t.id(), "the sample entry points at"
                    + " data reference " + dataReference + "; only media in the file itself (reference 1) is"
                    + " supported");
        }
        if (t.entry().format() == FourCC.MP4A) {
            // AudioSampleEntry's first reserved field is QuickTime's sound description version; v1/v2 layouts are
            // longer and MSE parsers (Chromium's among them) refuse them.
            int version = entry.getShort(entry.position() + 16) & 0xFFFF;
            if (version != 0) {
                throw new RemuxException(RemuxException.Problem.UNSUPPORTED_CODEC, t.id(), "QuickTime sound"
                        + " description version " + version + "; remux with `ffmpeg -i in.mov -c copy out.mp4`");
            }
        }
    }

    private static String names(Set<Integer> formats) {
        return formats.stream().map(FourCC::toString).sorted().toList().toString();
    }

    /**
     * The source tkhd's presentation fields (layer, alternate_group, volume, matrix, width, height) for the init
     * segment's tkhd, so rotation and display size survive; null (defaults) if they cannot be read.
     */
    private static ByteBuffer presentation(Mp4File mp4, int trackId) {
        try {
            for (Box trak : mp4.moov().children()) {
                if (trak.type() != FourCC.TRAK) continue;
                PayloadReader r = trak.require(FourCC.TKHD).reader();
                int v = r.fullBoxVersion(1);
                r.u32or64(v, "creation_time");
                r.u32or64(v, "modification_time");
                if (r.u32("track_ID") != trackId) continue;
                r.skip(4, "reserved");
                r.duration(v, "duration");
                r.skip(8, "reserved");
                return r.view(TKHD_PRESENTATION, "presentation fields");
            }
        } catch (Mp4FormatException e) {
            // The parser already accepted this trak; a tkhd too short for its fields gets defaults instead.
        }
        return null;
    }

    public Path file() {
        return file;
    }

    public Cut cut() {
        return cut;
    }

    /** The first video track, if the file has one. */
    public Optional<Fmp4Track> video() {
        return video;
    }

    /** The first audio track, if the file has one. */
    public Optional<Fmp4Track> audio() {
        return audio;
    }

    /** The remuxed tracks: video first, then audio. */
    public List<Fmp4Track> tracks() {
        List<Fmp4Track> out = new ArrayList<>(2);
        video.ifPresent(out::add);
        audio.ifPresent(out::add);
        return List.copyOf(out);
    }

    /** The source's presentation duration in seconds. */
    public double durationSeconds() {
        return durationSeconds;
    }
}
