package dev.streamlab.pixels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PixelOpsTest {
    /** Edge sizes: 1 pixel, odd widths and heights, a width below one vector, sizes around vector multiples. */
    private static final int[][] SIZES = {{1, 1}, {2, 2}, {3, 5}, {7, 3}, {17, 9}, {33, 19}, {64, 2}, {65, 33},
            {129, 7}, {160, 90}, {321, 181}};

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (Filter f : Filter.values()) for (int[] s : SIZES) out.add(Arguments.of(f, s[0], s[1]));
        return out.stream();
    }

    static YuvImage random(int w, int h, long seed) {
        YuvImage img = YuvImage.allocate(w, h);
        Random r = new Random(seed);
        for (ByteBuffer p : new ByteBuffer[] {img.y(), img.u(), img.v()}) {
            byte[] b = new byte[p.capacity()];
            r.nextBytes(b);
            p.put(0, b);
        }
        return img;
    }

    static YuvImage copy(YuvImage img) {
        return img.copyInto(ByteBuffer.allocate(YuvImage.frameBytes(img.width(), img.height())));
    }

    @ParameterizedTest(name = "{0} {1}x{2}")
    @MethodSource("cases")
    void naiveInPlaceAndVectorProduceIdenticalPixels(Filter filter, int w, int h) {
        YuvImage source = random(w, h, 31L * w + h);
        YuvImage naive = PixelOps.Variant.NAIVE.create().apply(filter, copy(source));
        YuvImage inPlace = PixelOps.Variant.IN_PLACE.create().apply(filter, copy(source));
        YuvImage vector = PixelOps.Variant.VECTOR.create().apply(filter, copy(source));
        assertTrue(naive.samePixels(inPlace), filter + " in place differs from naive at " + w + "x" + h);
        assertTrue(naive.samePixels(vector), filter + " vector differs from naive at " + w + "x" + h);
    }

    @Test
    void vectorApiIsLoadedInTests() {
        // The surefire argLine adds jdk.incubator.vector; without it the comparison above would not test VectorOps.
        assertEquals(PixelOps.Variant.VECTOR, PixelOps.Variant.best());
    }

    @Test
    void inPlaceVariantsWriteIntoTheGivenBuffersAndNaiveDoesNot() {
        YuvImage src = random(32, 16, 1);
        YuvImage before = copy(src);
        YuvImage inPlace = PixelOps.Variant.IN_PLACE.create().apply(Filter.BRIGHTNESS, src);
        assertSame(src.y(), inPlace.y());
        YuvImage other = random(32, 16, 1);
        YuvImage naive = PixelOps.Variant.NAIVE.create().apply(Filter.BRIGHTNESS, other);
        assertTrue(other.samePixels(before), "naive must leave its input alone");
        assertTrue(naive.y() != other.y());
    }

    @Test
    void grayscaleSetsChromaToNeutralAndKeepsLuma() {
        YuvImage src = random(9, 5, 2);
        YuvImage out = PixelOps.Variant.VECTOR.create().apply(Filter.GRAYSCALE, copy(src));
        for (int i = 0; i < 5 * 3; i++) {
            assertEquals(128, out.u().get(i) & 0xFF);
            assertEquals(128, out.v().get(i) & 0xFF);
        }
        assertEquals(src.y(), out.y().slice(0, 45));
    }

    @Test
    void downscaleAveragesEach2x2BlockWithRounding() {
        YuvImage img = YuvImage.allocate(4, 2);
        img.y().put(0, new byte[] {10, 11, 100, (byte) 200, 12, 13, 0, (byte) 255});
        YuvImage out = PixelOps.Variant.VECTOR.create().apply(Filter.DOWNSCALE, img);
        assertEquals(2, out.width());
        assertEquals(1, out.height());
        assertEquals((10 + 11 + 12 + 13 + 2) / 4, out.y().get(0) & 0xFF);
        assertEquals((100 + 200 + 0 + 255 + 2) / 4, out.y().get(1) & 0xFF);
    }

    @Test
    void blurOfAFlatPictureIsTheSamePictureAndSpreadsASpot() {
        YuvImage img = YuvImage.allocate(40, 20);
        for (int i = 0; i < 800; i++) img.y().put(i, (byte) 90);
        img.y().put(10 * 40 + 20, (byte) 255); // one bright pixel
        YuvImage out = PixelOps.Variant.VECTOR.create().apply(Filter.BLUR, img);
        assertEquals(90, out.y().get(0) & 0xFF);
        assertEquals((8 * 90 + 255) / 9, out.y().get(9 * 40 + 19) & 0xFF, "a neighbour gets a ninth of the spot");
        assertEquals(90, out.y().get(5 * 40 + 5) & 0xFF);
    }

    @Test
    void brightnessRaisesMidGreyAndClampsAtBothEnds() {
        YuvImage img = YuvImage.allocate(3, 1);
        img.y().put(0, new byte[] {(byte) 128, 0, (byte) 255});
        YuvImage out = PixelOps.Variant.VECTOR.create().apply(Filter.BRIGHTNESS, img);
        assertEquals(128 + Filter.BRIGHTNESS_OFFSET, out.y().get(0) & 0xFF);
        assertEquals(0, out.y().get(1) & 0xFF);
        assertEquals(255, out.y().get(2) & 0xFF);
    }

    @Test
    void pipInsetIsTheDownscaledFrameInTheTopLeftCorner() {
        YuvImage src = random(20, 12, 3);
        YuvImage small = PixelOps.Variant.NAIVE.create().apply(Filter.DOWNSCALE, copy(src));
        YuvImage pip = PixelOps.Variant.VECTOR.create().apply(Filter.PIP, copy(src));
        for (int y = 0; y < 6; y++) {
            for (int x = 0; x < 10; x++) assertEquals(small.y().get(y * 10 + x), pip.y().get(y * 20 + x));
        }
        assertEquals(235, pip.y().get(6 * 20 + 3) & 0xFF, "the frame below the inset");
        assertEquals(src.y().get(11 * 20 + 19), pip.y().get(11 * 20 + 19), "outside the inset: untouched");
    }

    @Test
    void div9IsExactForEverySumOfNineBytes() {
        for (int s = 0; s <= 9 * 255; s++) assertEquals(s / 9, Px.div9(s), "sum " + s);
    }

    @Test
    void unknownFilterNamesTheValidOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Filter.parse("sepia"));
        assertTrue(e.getMessage().contains("sepia") && e.getMessage().contains("grayscale"), e.getMessage());
        assertEquals(Filter.NONE, Filter.parse(null));
        assertEquals(Filter.BLUR, Filter.parse("BLUR"));
    }
}
