package dev.streamlab.mp4;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.testing.ExternalTools;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * What {@link Mp4File}'s javadoc and the phase 1 README claim: every box of {@code moov} is a view of one read-only
 * mapping, so parsing copies no box bytes into the Java heap. A copy would show: a heap buffer has an array behind
 * it, and a copy into a fresh direct buffer would be writable.
 */
class MoovViewsTest {
    private static final Path SAMPLE = ExternalTools.media().resolve("sample-30s-360p-h264-aac.mp4");
    /** Boxes whose payload is nothing but boxes (ISO/IEC 14496-12 §8.1–8.7). */
    private static final Set<String> CONTAINERS = Set.of("moov", "trak", "mdia", "minf", "stbl", "dinf", "edts");

    @Test
    void everyMoovBoxIsAReadOnlyViewOfTheMappingNotAHeapCopy() throws IOException {
        Mp4File mp4 = Mp4File.open(SAMPLE);
        List<Box> boxes = new ArrayList<>();
        collect(mp4.moov(), boxes);

        assertTrue(boxes.size() > 30, "walked the tree: " + boxes.size() + " boxes");
        for (Box box : boxes) {
            for (ByteBuffer view : List.of(box.bytes(), box.payload())) {
                assertTrue(view.isDirect(), box.path() + ": not off-heap");
                assertFalse(view.hasArray(), box.path() + ": has a heap array behind it");
                assertTrue(view.isReadOnly(), box.path() + ": writable, so not the READ_ONLY mapping");
            }
        }
        // The views are windows on one region: together the top children span moov's payload exactly.
        long children = mp4.moov().children().stream().mapToLong(b -> b.bytes().remaining()).sum();
        assertEquals(mp4.moov().payload().remaining(), children);
    }

    private static void collect(Box box, List<Box> into) throws Mp4FormatException {
        into.add(box);
        if (!CONTAINERS.contains(FourCC.toString(box.type()))) return;
        for (Box child : box.children()) collect(child, into);
    }
}
