package dev.streamlab.stream.fmp4;

import dev.streamlab.mp4.FourCC;
import dev.streamlab.mp4.Track;
import dev.streamlab.mp4.TrackKind;
import java.nio.ByteBuffer;

/**
 * Builds one track's initialization segment. Box by box (ISO/IEC 14496-12 section in brackets):
 * <pre>
 * ftyp  iso6, compatible iso6 iso5 dash mp41                        [4.3]  iso5: default-base-is-moof, tfdt
 * moov                                                              [8.2.1]
 *   mvhd  timescale = the source's movie timescale, duration 0     [8.2.2]  0: the samples are all in fragments
 *   trak
 *     tkhd  flags enabled|in_movie, the source's matrix and size    [8.3.2]
 *     edts/elst  one edit: duration 0, media_time, rate 1           [8.6.6]  only when media_time &gt; 0
 *     mdia
 *       mdhd  the source's timescale and language                  [8.4.2]
 *       hdlr  vide | soun                                           [8.4.3]
 *       minf
 *         vmhd | smhd                                               [12.1.2, 12.2.2]
 *         dinf/dref/url   one entry, flag 1 = "media in this file" [8.7.1, 8.7.2]
 *         stbl                                                      [8.5.1]
 *           stsd  1 entry: the source's sample entry, a view        [8.5.2]
 *           stts stsc stsz stco  all empty                          [8.6.1.2, 8.7.4, 8.7.3, 8.7.5]
 *   mvex                                                            [8.8.1]  "samples are in moof boxes"
 *     mehd  fragment_duration = the track's presented duration      [8.8.2]  MSE takes the duration from it
 *     trex  track_ID, default_sample_description_index 1            [8.8.3]  every trun gives its own values
 * </pre>
 */
final class InitSegmentWriter {
    static final int FTYP = FourCC.FTYP, MOOV = FourCC.MOOV, MVHD = FourCC.MVHD, TRAK = FourCC.TRAK,
            TKHD = FourCC.TKHD, EDTS = FourCC.EDTS, ELST = FourCC.ELST, MDIA = FourCC.MDIA, MDHD = FourCC.MDHD,
            HDLR = FourCC.HDLR, MINF = FourCC.MINF, VMHD = FourCC.of("vmhd"), SMHD = FourCC.of("smhd"),
            DINF = FourCC.DINF, DREF = FourCC.of("dref"), URL = FourCC.of("url "), STBL = FourCC.STBL,
            STSD = FourCC.STSD, STTS = FourCC.STTS, STSC = FourCC.STSC, STSZ = FourCC.STSZ, STCO = FourCC.STCO,
            MVEX = FourCC.MVEX, MEHD = FourCC.of("mehd"), TREX = FourCC.of("trex");

    /** Brands (§4.3, Annex E): iso6 covers everything used here, iso5 is what MSE-era players look for. */
    static final int[] BRANDS = {FourCC.of("iso6"), FourCC.of("iso5"), FourCC.of("dash"), FourCC.of("mp41")};

    /** A unity matrix (§6.2.2: 16.16 fixed point, w in 2.30) for when the source's tkhd cannot be read. */
    private static final int[] UNITY = {0x0001_0000, 0, 0, 0, 0x0001_0000, 0, 0, 0, 0x4000_0000};

    /** Every fresh byte of an init segment fits: the largest (video, elst and mehd v1) is about 640 bytes. */
    private static final int CAPACITY = 1024;

    private InitSegmentWriter() {}

    /**
     * @param presentation the source tkhd's layer, alternate_group, volume, reserved, matrix, width and height
     *                     (the 52 bytes after its duration), or null to write defaults
     * @param movieTimescale the source's mvhd timescale (edit and mehd durations are in it)
     * @param compositionShift ticks the segments add to every composition offset, added to media_time here so
     *                     presentation times stay the source's ({@link Fmp4Remuxer#compositionShift})
     */
    static InitSegment write(Track track, ByteBuffer presentation, long movieTimescale, long compositionShift) {
        boolean video = track.kind() == TrackKind.VIDEO;
        BoxWriter w = new BoxWriter(CAPACITY);
        w.box(FTYP).u32(BRANDS[0]).u32(0);
        for (int brand : BRANDS) w.u32(brand);
        w.end();

        w.box(MOOV);
        w.fullBox(MVHD, 0, 0).u32(0).u32(0).u32(movieTimescale).u32(0)
                .u32(0x0001_0000).u16(0x0100).zeros(10); // rate 1.0, volume 1.0, reserved
        for (int m : UNITY) w.u32(m);
        w.zeros(24).u32(track.id() + 1L).end(); // pre_defined, next_track_ID

        w.box(TRAK);
        w.fullBox(TKHD, 0, 0x3).u32(0).u32(0).u32(track.id()).u32(0).u32(0).zeros(8);
        if (presentation != null) {
            w.bytes(presentation);
        } else {
            w.u16(0).u16(0).u16(video ? 0 : 0x0100).u16(0);
            for (int m : UNITY) w.u32(m);
            w.u32((long) track.entry().width() << 16).u32((long) track.entry().height() << 16);
        }
        w.end();
        long mediaTime = track.edits().mediaTime() + compositionShift;
        if (mediaTime > 0) {
            // MSE ISO BMFF §3: user agents MUST support "a single edit with media rate one" and "MAY have a
            // duration of 0 (indicating that it spans all subsequent media)" — the composition-to-presentation
            // offset for every fragment to come (ISO/IEC 14496-12 §8.6.6.1 recommends exactly this).
            int v = mediaTime > Integer.MAX_VALUE ? 1 : 0;
            w.box(EDTS).fullBox(ELST, v, 0).u32(1);
            if (v == 1) w.u64(0).u64(mediaTime);
            else w.u32(0).u32(mediaTime);
            w.u16(1).u16(0).end().end(); // media_rate_integer 1, fraction 0; elst, edts
        }

        w.box(MDIA);
        w.fullBox(MDHD, 0, 0).u32(0).u32(0).u32(track.timescale()).u32(0)
                .u16(packLanguage(track.language())).u16(0).end();
        w.fullBox(HDLR, 0, 0).u32(0).u32(video ? FourCC.VIDE : FourCC.SOUN).zeros(12)
                .cString(video ? "VideoHandler" : "SoundHandler").end();
        w.box(MINF);
        if (video) w.fullBox(VMHD, 0, 1).u16(0).zeros(6).end(); // flags 1, graphicsmode copy, opcolor 0
        else w.fullBox(SMHD, 0, 0).u16(0).u16(0).end(); // balance centre, reserved
        w.box(DINF).fullBox(DREF, 0, 0).u32(1).fullBox(URL, 0, 1).end().end().end();
        w.box(STBL);
        w.fullBox(STSD, 0, 0).u32(1).view(track.entry().entry()).end();
        w.fullBox(STTS, 0, 0).u32(0).end();
        w.fullBox(STSC, 0, 0).u32(0).end();
        w.fullBox(STSZ, 0, 0).u32(0).u32(0).end();
        w.fullBox(STCO, 0, 0).u32(0).end();
        w.end().end().end().end(); // stbl, minf, mdia, trak

        w.box(MVEX);
        long duration = Math.round((double) track.duration() * movieTimescale / track.timescale());
        if (duration > 0xFFFF_FFFFL) w.fullBox(MEHD, 1, 0).u64(duration).end();
        else w.fullBox(MEHD, 0, 0).u32(duration).end();
        w.fullBox(TREX, 0, 0).u32(track.id()).u32(1).u32(0).u32(0).u32(0).end();
        w.end().end(); // mvex, moov
        return new InitSegment(track.kind(), track.id(), track.timescale(), track.codec(), w.finish());
    }

    /** ISO-639-2/T as three 5-bit letters minus 0x60 (§8.4.2.3); "und" when the code is not three letters. */
    static int packLanguage(String language) {
        String l = language.length() == 3 && language.chars().allMatch(c -> c >= 'a' && c <= 'z') ? language : "und";
        return ((l.charAt(0) - 0x60) << 10) | ((l.charAt(1) - 0x60) << 5) | (l.charAt(2) - 0x60);
    }
}
