package dev.streamlab.mp4;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a {@code moov} box (and, in a fragmented file, its {@code moof} boxes) into a {@link Movie}. Reads only
 * the boxes a player needs; skips the rest.
 */
final class MovieParser {
    private static final long CLAMP = Long.MAX_VALUE / 4;

    private MovieParser() {}

    /**
     * @param moofs  the file's top-level {@code moof} boxes, in file order (none for a progressive file)
     * @param reader reads one of them; see {@link Fragments}
     * @param file   reads the first bytes of a track's first sample, where the sample entry's values are a
     *               template that the bitstream corrects (see {@link SampleEntries#withBitstream})
     */
    static Movie parse(Box moov, long fileSize, List<BoxHeader> moofs, Fragments.MoofReader reader,
                       SampleEntries.FileBytes file) throws IOException {
        PayloadReader mvhd = moov.require(FourCC.MVHD).reader();
        int v = mvhd.fullBoxVersion(1);
        mvhd.u32or64(v, "creation_time");
        mvhd.u32or64(v, "modification_time");
        long timescale = mvhd.u32("timescale");
        long duration = mvhd.duration(v, "duration");
        if (timescale == 0) throw mvhd.error("mvhd timescale is 0: time cannot be measured");
        List<Trak> traks = new ArrayList<>();
        long room = fileSize; // what earlier tracks' samples leave of the file (see SampleTable.read)
        for (Box b : moov.children()) {
            if (b.type() == FourCC.TRAK) {
                Trak t = trak(b, fileSize, room);
                traks.add(t);
                room = Math.max(0, room - t.samples.totalBytes());
            }
        }
        Map<Integer, Fragments.TrackSamples> fragments = Map.of();
        if (!moofs.isEmpty()) {
            Map<Integer, SampleTable> moovParts = new HashMap<>();
            for (Trak t : traks) moovParts.putIfAbsent(t.id, t.samples);
            fragments = Fragments.read(moov, moofs, reader, moovParts, fileSize, room);
        }
        List<Track> tracks = new ArrayList<>();
        Set<Integer> seen = new HashSet<>();
        for (Trak t : traks) {
            // Fragments name tracks by track_ID; two traks with one ID (a broken file) leave them to the first.
            Fragments.TrackSamples f = seen.add(t.id) ? fragments.get(t.id) : null;
            SampleTable all = f == null ? t.samples : f.table();
            SampleEntry entry = SampleEntries.withBitstream(t.entry, all, fileSize, file);
            Trak u = entry == t.entry ? t : new Trak(t.box, t.id, t.kind, t.handler, t.timescale, t.mediaDuration,
                    t.language, entry, t.samples);
            tracks.add(f == null ? u.track(timescale, duration) : u.fragmented(timescale, all));
        }
        return new Movie(timescale, duration, tracks, moofs.size());
    }

    /** What a trak says by itself, before fragments add samples to it. */
    private record Trak(Box box, int id, TrackKind kind, int handler, long timescale, long mediaDuration,
                        String language, SampleEntry entry, SampleTable samples) {
        Track track(long movieTimescale, long movieDuration) throws Mp4FormatException {
            EditList edits = edits(box, movieTimescale, movieDuration, timescale, samples);
            return new Track(id, kind, handler, timescale, mediaDuration, language, entry, edits, samples);
        }

        /**
         * The trak with its fragments' samples ({@code all}: moov's and the fragments'). Its mdhd duration (0, or the moov part's in a hybrid file) and the
         * mvhd duration (likewise) do not cover the fragments: the media timeline lasts until the last sample's
         * decode time ends (from 0, as ffprobe counts it, however late tfdt starts the first fragment). An edit of
         * duration 0 is §8.6.6.1's "spans all the media to come" (phase 3's own init segments write it): it lasts
         * until the last sample is presented.
         */
        Track fragmented(long movieTimescale, SampleTable all) throws Mp4FormatException {
            long media = Math.max(mediaDuration, all.totalDuration());
            EditList edits = edits(box, movieTimescale, 0, timescale, all); // 0: mvhd's duration is unknown
            if (edits.entries() > 0 && edits.duration() == edits.delay()) { // the media edit's duration is 0
                edits = new EditList(edits.delay(), edits.mediaTime(),
                        edits.delay() + Math.max(0, all.compositionEnd() - edits.mediaTime()), edits.entries());
            }
            return new Track(id, kind, handler, timescale, media, language, entry, edits, all);
        }
    }

    private static Trak trak(Box trak, long fileSize, long room) throws Mp4FormatException {
        PayloadReader tkhd = trak.require(FourCC.TKHD).reader();
        int v = tkhd.fullBoxVersion(1);
        tkhd.u32or64(v, "creation_time");
        tkhd.u32or64(v, "modification_time");
        int id = (int) tkhd.u32("track_ID");

        Box mdia = trak.require(FourCC.MDIA);
        PayloadReader mdhd = mdia.require(FourCC.MDHD).reader();
        int mv = mdhd.fullBoxVersion(1);
        mdhd.u32or64(mv, "creation_time");
        mdhd.u32or64(mv, "modification_time");
        long timescale = mdhd.u32("timescale");
        if (timescale == 0) throw mdhd.error("mdhd timescale is 0: time cannot be measured");
        long mediaDuration = mdhd.duration(mv, "duration");
        String language = language(mdhd.u16("language"));

        PayloadReader hdlr = mdia.require(FourCC.HDLR).reader();
        hdlr.fullBoxVersion(0);
        hdlr.u32("pre_defined");
        int handler = hdlr.i32("handler_type");

        Box stbl = mdia.require(FourCC.MINF).require(FourCC.STBL);
        SampleEntry entry = SampleEntries.first(stbl.require(FourCC.STSD), TrackKind.of(handler));
        SampleTable samples = SampleTable.read(stbl, fileSize, room, mediaDuration);
        return new Trak(trak, id, TrackKind.of(handler), handler, timescale, mediaDuration, language, entry,
                samples);
    }

    /** ISO-639-2/T packed as three 5-bit letters offset by 0x60 (§8.4.2.3). */
    private static String language(int packed) {
        if (packed == 0 || packed == 0x7FFF) return "und";
        char[] c = {(char) (((packed >> 10) & 0x1F) + 0x60), (char) (((packed >> 5) & 0x1F) + 0x60),
                (char) ((packed & 0x1F) + 0x60)};
        for (char ch : c) if (ch < 'a' || ch > 'z') return "und";
        return new String(c);
    }

    /**
     * Reduces {@code edts/elst} to a delay and a media start (see {@link EditList}). Durations in elst are in the
     * movie timescale; media_time is in the media timescale (§8.6.6.3).
     *
     * <p>Two lies are refused, because every timestamp downstream is computed from them: a first media edit that
     * starts after the track's last sample has ended (it shows nothing: every presentation time would be negative,
     * and phase 3 once streamed such a file as an empty stream that "ended"), and edits that together last longer
     * than the movie (§8.3.2.3 makes their sum the track's duration, §8.2.2.3 makes mvhd's the longest track's).
     * ffprobe shrugs at both and prints confused timestamps; a server must not.
     */
    private static EditList edits(Box trak, long movieTimescale, long movieDuration, long mediaTimescale,
                                  SampleTable samples) throws Mp4FormatException {
        var edts = trak.child(FourCC.EDTS);
        if (edts.isEmpty()) return EditList.NONE;
        var elstBox = edts.get().child(FourCC.ELST);
        if (elstBox.isEmpty()) return EditList.NONE;
        PayloadReader r = elstBox.get().reader();
        int v = r.fullBoxVersion(1);
        int count = r.entries(r.u32("entry_count"), v == 1 ? 20 : 12);
        // A track without samples in moov is fragmented (§8.8): its media is in moof boxes this parser does not
        // read, so there is nothing to check media_time against (phase 3's own init segments are such tracks).
        long mediaEnd = samples.count() == 0 ? Long.MAX_VALUE : samples.compositionEnd();
        long delay = 0;
        long mediaTime = 0;
        long total = 0;
        long movieTicks = 0;
        boolean mediaEditSeen = false;
        for (int i = 0; i < count; i++) {
            long segmentDuration = r.u32or64(v, "segment_duration");
            long time = v == 1 ? r.i64("media_time") : r.i32("media_time");
            r.u32("media_rate");
            // An absurd duration is clamped rather than allowed to overflow into a negative time.
            long ticks = segmentDuration > CLAMP / mediaTimescale ? CLAMP
                    : segmentDuration * mediaTimescale / movieTimescale;
            total = Math.min(total + ticks, CLAMP);
            movieTicks = Math.min(movieTicks + Math.min(segmentDuration, CLAMP), CLAMP);
            if (time == -1) {
                if (!mediaEditSeen) delay += ticks; // an empty edit: the track starts later
            } else if (!mediaEditSeen) {
                if (time < 0) throw r.error("media_time " + time + " is negative");
                if (time > mediaEnd) {
                    throw r.error("media_time " + time + " starts the edit after the track's last sample ends (at "
                            + mediaEnd + " media ticks): it would show nothing");
                }
                mediaTime = time;
                mediaEditSeen = true;
            }
        }
        // mvhd duration 0 (fragmented files, or all 1s: see PayloadReader.duration) means unknown. A second of
        // slack forgives muxers that round the track's and the movie's durations differently; hours of excess are
        // a lie.
        boolean movieKnown = movieDuration > 0;
        if (movieKnown && movieTicks - movieTimescale > movieDuration) { // not d + ts: d may be near 2^63
            throw r.error("edits lasting " + movieTicks + " movie ticks (segment_duration) are longer than the "
                    + movieDuration + "-tick movie (mvhd duration)");
        }
        return new EditList(delay, mediaTime, count == 0 ? -1 : total, count);
    }
}
