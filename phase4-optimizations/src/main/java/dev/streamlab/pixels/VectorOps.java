package dev.streamlab.pixels;

import java.nio.ByteBuffer;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link InPlaceOps} with SIMD lanes ({@code jdk.incubator.vector}) for the loops where they pay: fill, brightness,
 * the blur's row sums and the 2x2 means. Edge columns and tails fall back to the scalar code, so the output is the
 * same bytes.
 *
 * <p>Works on heap buffers through their arrays ({@code fromArray}/{@code intoArray}; the MemorySegment forms
 * are a preview API at release 21); a direct or read-only buffer gets the scalar code.
 *
 * <p>Widening: a byte lane cannot hold {@code (y - 128) * 352} or {@code sum * 7282}, so brightness and blur widen
 * bytes to ints ({@code B2I}: a byte vector of a quarter of the int vector's bits, same lane count) and narrow back
 * ({@code I2B}). The 2x2 mean needs only 10 bits: it reads byte pairs as little-endian shorts — low byte = left
 * pixel, high byte = right pixel (or the reverse on a big-endian machine; the sum is the same) — so adding them needs no shuffle.
 */
final class VectorOps extends InPlaceOps {
    private static final VectorSpecies<Byte> BYTES = ByteVector.SPECIES_PREFERRED;
    /**
     * The machine's widest int vector, but at least 256 bits: the bytes feeding it are a quarter of its size, and
     * the smallest byte vector is 64 bits (on a 128-bit machine the 256-bit forms run emulated: correct, slower).
     */
    private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_PREFERRED.vectorBitSize() >= 256
            ? IntVector.SPECIES_PREFERRED : IntVector.SPECIES_256;
    /** As many byte lanes as {@link #INTS} has int lanes. */
    private static final VectorSpecies<Byte> BYTES_FOR_INTS =
            VectorSpecies.of(byte.class, VectorShape.forBitSize(INTS.vectorBitSize() / 4));
    private static final VectorSpecies<Short> SHORTS = ShortVector.SPECIES_PREFERRED;
    /** As many byte lanes as {@link #SHORTS} has short lanes. */
    private static final VectorSpecies<Byte> BYTES_FOR_SHORTS =
            VectorSpecies.of(byte.class, VectorShape.forBitSize(SHORTS.vectorBitSize() / 2));
    /** Bytes in a vector of {@link #SHORTS}' size: 2 per short lane. */
    private static final VectorSpecies<Byte> PAIRS = VectorSpecies.of(byte.class, SHORTS.vectorShape());

    @Override
    public Variant variant() {
        return Variant.VECTOR;
    }

    @Override
    void fill(ByteBuffer p, int n, byte value) {
        if (!p.hasArray()) {
            super.fill(p, n, value);
            return;
        }
        byte[] a = p.array();
        int base = p.arrayOffset(), i = 0;
        ByteVector v = ByteVector.broadcast(BYTES, value);
        for (int end = BYTES.loopBound(n); i < end; i += BYTES.length()) v.intoArray(a, base + i);
        for (; i < n; i++) a[base + i] = value;
    }

    @Override
    void brightness(ByteBuffer p, int n) {
        if (!p.hasArray()) {
            super.brightness(p, n);
            return;
        }
        byte[] a = p.array();
        int base = p.arrayOffset(), lanes = INTS.length(), i = 0;
        for (int end = INTS.loopBound(n); i < end; i += lanes) {
            IntVector y = load(a, base + i);
            IntVector r = y.sub(128).mul(Filter.CONTRAST_Q8).lanewise(VectorOperators.ASHR, 8)
                    .add(128 + Filter.BRIGHTNESS_OFFSET).max(0).min(255);
            narrow(r).intoArray(a, base + i);
        }
        for (; i < n; i++) a[base + i] = (byte) Px.brightness(a[base + i] & 0xFF);
    }

    /** Column sums of the three rows, reused: the 3x3 sum is then three neighbouring column sums. */
    private int[] columns = new int[0];

    @Override
    void blurRow(byte[] a, byte[] b, byte[] c, byte[] o, int w) {
        if (columns.length < w) columns = new int[w];
        int[] col = columns;
        int lanes = INTS.length(), x = 0;
        // Pass 1: vertical sums a + b + c per column (3 widened loads per lane group instead of 9 below).
        for (int end = INTS.loopBound(w); x < end; x += lanes) {
            load(a, x).add(load(b, x)).add(load(c, x)).intoArray(col, x);
        }
        for (; x < w; x++) col[x] = (a[x] & 0xFF) + (b[x] & 0xFF) + (c[x] & 0xFF);
        // Pass 2: horizontal sums of three column sums; edge columns (which repeat themselves) are scalar.
        o[0] = (byte) blurAt(a, b, c, w, 0);
        x = 1;
        for (; x + lanes + 1 <= w; x += lanes) {
            IntVector sum = IntVector.fromArray(INTS, col, x - 1).add(IntVector.fromArray(INTS, col, x))
                    .add(IntVector.fromArray(INTS, col, x + 1));
            narrow(sum.mul(7282).lanewise(VectorOperators.LSHR, 16)).intoArray(o, x);
        }
        for (; x < w; x++) o[x] = (byte) blurAt(a, b, c, w, x);
    }

    @Override
    void downscale(ByteBuffer src, int w, int h, ByteBuffer dst, int stride, int ow, int oh) {
        if (!src.hasArray() || !dst.hasArray()) {
            super.downscale(src, w, h, dst, stride, ow, oh);
            return;
        }
        byte[] s = src.array(), d = dst.array();
        int sb = src.arrayOffset(), db = dst.arrayOffset();
        int lanes = SHORTS.length();
        int exact = Math.min(ow, w / 2); // columns whose 2x2 block lies inside the row
        for (int y = 0; y < oh; y++) {
            int r0 = sb + Math.min(2 * y, h - 1) * w, r1 = sb + Math.min(2 * y + 1, h - 1) * w;
            int x = 0;
            for (; x + lanes <= exact; x += lanes) {
                // Byte pairs as shorts: the sum of low and high byte is the same in either byte order.
                ShortVector top = ByteVector.fromArray(PAIRS, s, r0 + 2 * x).reinterpretAsShorts();
                ShortVector bottom = ByteVector.fromArray(PAIRS, s, r1 + 2 * x).reinterpretAsShorts();
                ShortVector sum = top.and((short) 0xFF).add(top.lanewise(VectorOperators.LSHR, 8))
                        .add(bottom.and((short) 0xFF)).add(bottom.lanewise(VectorOperators.LSHR, 8))
                        .add((short) 2).lanewise(VectorOperators.LSHR, 2);
                ((ByteVector) sum.convertShape(VectorOperators.S2B, BYTES_FOR_SHORTS, 0))
                        .intoArray(d, db + y * stride + x);
            }
            downscaleRow(src, w, h, dst, stride, ow, y, x);
        }
    }

    private static IntVector load(byte[] a, int offset) {
        return widen(ByteVector.fromArray(BYTES_FOR_INTS, a, offset));
    }

    private static IntVector widen(ByteVector b) {
        return ((IntVector) b.convertShape(VectorOperators.B2I, INTS, 0)).and(0xFF);
    }

    private static ByteVector narrow(IntVector i) {
        return (ByteVector) i.convertShape(VectorOperators.I2B, BYTES_FOR_INTS, 0);
    }
}
