package dev.streamlab.mp4;

import java.util.ArrayList;
import java.util.List;

/** Turns a {@code moov} box into a {@link Movie}. Reads only the boxes a player needs; skips the rest. */
final class MovieParser {
    private static final long CLAMP = Long.MAX_VALUE / 4;

    private MovieParser() {}

    static Movie parse(Box moov, long fileSize) throws Mp4FormatException {
        PayloadReader mvhd = moov.require(FourCC.MVHD).reader();
        int v = mvhd.fullBoxVersion(1);
        mvhd.u32or64(v, "creation_time");
        mvhd.u32or64(v, "modification_time");
        long timescale = mvhd.u32("timescale");
        long duration = mvhd.u32or64(v, "duration");
        if (timescale == 0) throw mvhd.error("mvhd timescale is 0: time cannot be measured");
        List<Track> tracks = new ArrayList<>();
        long room = fileSize; // what earlier tracks' samples leave of the file (see SampleTable.read)
        for (Box b : moov.children()) {
            if (b.type() == FourCC.TRAK) {
                Track t = track(b, timescale, fileSize, room);
                tracks.add(t);
                room = Math.max(0, room - t.samples().totalBytes());
            }
        }
        return new Movie(timescale, duration, tracks);
    }

    private static Track track(Box trak, long movieTimescale, long fileSize, long room)
            throws Mp4FormatException {
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
        long mediaDuration = mdhd.u32or64(mv, "duration");
        String language = language(mdhd.u16("language"));

        PayloadReader hdlr = mdia.require(FourCC.HDLR).reader();
        hdlr.fullBoxVersion(0);
        hdlr.u32("pre_defined");
        int handler = hdlr.i32("handler_type");

        Box stbl = mdia.require(FourCC.MINF).require(FourCC.STBL);
        SampleEntry entry = SampleEntries.first(stbl.require(FourCC.STSD));
        EditList edits = edits(trak, movieTimescale, timescale);
        SampleTable samples = SampleTable.read(stbl, fileSize, room);
        return new Track(id, TrackKind.of(handler), handler, timescale, mediaDuration, language, entry, edits,
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
     */
    private static EditList edits(Box trak, long movieTimescale, long mediaTimescale) throws Mp4FormatException {
        var edts = trak.child(FourCC.EDTS);
        if (edts.isEmpty()) return EditList.NONE;
        var elstBox = edts.get().child(FourCC.ELST);
        if (elstBox.isEmpty()) return EditList.NONE;
        PayloadReader r = elstBox.get().reader();
        int v = r.fullBoxVersion(1);
        int count = r.entries(r.u32("entry_count"), v == 1 ? 20 : 12);
        long delay = 0;
        long mediaTime = 0;
        long total = 0;
        boolean mediaEditSeen = false;
        for (int i = 0; i < count; i++) {
            long segmentDuration = r.u32or64(v, "segment_duration");
            long time = v == 1 ? r.i64("media_time") : r.i32("media_time");
            r.u32("media_rate");
            // An absurd duration is clamped rather than allowed to overflow into a negative time.
            long ticks = segmentDuration > CLAMP / mediaTimescale ? CLAMP
                    : segmentDuration * mediaTimescale / movieTimescale;
            total = Math.min(total + ticks, CLAMP);
            if (time == -1) {
                if (!mediaEditSeen) delay += ticks; // an empty edit: the track starts later
            } else if (!mediaEditSeen) {
                if (time < 0) throw r.error("media_time " + time + " is negative");
                mediaTime = time;
                mediaEditSeen = true;
            }
        }
        return new EditList(delay, mediaTime, count == 0 ? -1 : total, count);
    }
}
