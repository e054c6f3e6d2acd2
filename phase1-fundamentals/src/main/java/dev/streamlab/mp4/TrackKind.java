package dev.streamlab.mp4;

/** What a track carries, from its {@code hdlr} handler type ({@code vide}, {@code soun}, anything else). */
public enum TrackKind {
    VIDEO, AUDIO, OTHER;

    static TrackKind of(int handler) {
        if (handler == FourCC.VIDE) return VIDEO;
        if (handler == FourCC.SOUN) return AUDIO;
        return OTHER;
    }

    /** Lower-case name as used in JSON ({@code video}, {@code audio}, {@code other}). */
    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
