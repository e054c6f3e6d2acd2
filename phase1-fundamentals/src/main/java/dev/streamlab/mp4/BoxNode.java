package dev.streamlab.mp4;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A box in a printable tree: type, where, how big, and what is inside. Used by the explainer views
 * ({@code ./lab probe --boxes}, phase 2's {@code /api/videos/{id}/boxes}).
 */
public record BoxNode(String type, long offset, long size, int headerSize, List<BoxNode> children) {
    public BoxNode {
        children = List.copyOf(children);
    }

    /** Boxes whose payload is nothing but boxes (§8: "container" boxes). */
    private static final Set<Integer> CONTAINERS = Set.of(FourCC.MOOV, FourCC.TRAK, FourCC.MDIA, FourCC.MINF,
            FourCC.STBL, FourCC.EDTS, FourCC.DINF, FourCC.MVEX, FourCC.UDTA, FourCC.MOOF, FourCC.TRAF, FourCC.MFRA);

    static BoxNode leaf(BoxHeader h) {
        return new BoxNode(h.typeName(), h.offset(), h.size(), h.headerSize(), List.of());
    }

    static BoxNode of(Box box) throws Mp4FormatException {
        int t = box.type();
        List<Box> kids = List.of();
        if (CONTAINERS.contains(t)) {
            kids = box.children();
        } else if (t == FourCC.STSD) {
            kids = box.childrenAfter(8); // version/flags + entry_count
        } else if (t == FourCC.AVC1 || t == FourCC.AVC3 || t == FourCC.HVC1 || t == FourCC.HEV1
                || t == FourCC.VP09 || t == FourCC.AV01) {
            kids = box.childrenAfter(78);
        } else if (t == FourCC.MP4A || t == FourCC.OPUS || t == FourCC.FLAC) {
            ByteBuffer p = box.payload();
            int version = p.limit() >= 10 ? p.getShort(8) & 0xFFFF : 0; // too short: childrenAfter reports it
            kids = box.childrenAfter(28 + (version == 1 ? 16 : version == 2 ? 36 : 0));
        } else if (t == FourCC.META) {
            // ISO meta is a full box (4 bytes of version/flags first); QuickTime's is a plain container.
            ByteBuffer p = box.payload();
            kids = box.childrenAfter(p.limit() >= 8 && p.getInt(4) == FourCC.HDLR ? 0 : 4);
        }
        List<BoxNode> children = new ArrayList<>(kids.size());
        for (Box k : kids) children.add(of(k));
        BoxHeader h = box.header();
        return new BoxNode(h.typeName(), h.offset(), h.size(), h.headerSize(), children);
    }
}
