package dev.streamlab.pixels;

import java.nio.ByteBuffer;

/**
 * The same arithmetic as {@link NaiveOps}, written over the input buffer: no per-frame allocation. Grayscale and
 * brightness touch each byte once where it lies; downscale and PIP write each 2x2 mean at or before the bytes it was
 * read from (output row {@code y} lies before input row {@code 2y}), so no source pixel is overwritten before it is
 * read; blur keeps the previous, current and next source rows in reused scratch rows (one copy of each row).
 */
sealed class InPlaceOps implements PixelOps permits VectorOps {
    /** Scratch rows for blur: previous, current, next source row, and the output row. Grown, never shrunk. */
    byte[] prev = new byte[0], cur = new byte[0], next = new byte[0], out = new byte[0];

    @Override
    public Variant variant() {
        return Variant.IN_PLACE;
    }

    @Override
    public final YuvImage apply(Filter filter, YuvImage img) {
        int w = img.width(), h = img.height(), cw = img.chromaWidth(), ch = img.chromaHeight();
        switch (filter) {
            case NONE -> { }
            case GRAYSCALE -> {
                fill(img.u(), cw * ch, (byte) Px.GRAY);
                fill(img.v(), cw * ch, (byte) Px.GRAY);
            }
            case BRIGHTNESS -> brightness(img.y(), w * h);
            case BLUR -> {
                blur(img.y(), w, h);
                blur(img.u(), cw, ch);
                blur(img.v(), cw, ch);
            }
            case DOWNSCALE -> {
                int ow = Px.half(w), oh = Px.half(h), ocw = YuvImage.chroma(ow), och = YuvImage.chroma(oh);
                downscale(img.y(), w, h, img.y(), ow, ow, oh);
                downscale(img.u(), cw, ch, img.u(), ocw, ocw, och);
                downscale(img.v(), cw, ch, img.v(), ocw, ocw, och);
                return new YuvImage(ow, oh, img.y(), img.u(), img.v());
            }
            case PIP -> {
                pip(img.y(), w, h, Px.FRAME);
                pip(img.u(), cw, ch, Px.GRAY);
                pip(img.v(), cw, ch, Px.GRAY);
            }
        }
        return img;
    }

    void fill(ByteBuffer p, int n, byte value) {
        for (int i = 0; i < n; i++) p.put(i, value);
    }

    void brightness(ByteBuffer p, int n) {
        for (int i = 0; i < n; i++) p.put(i, (byte) Px.brightness(p.get(i) & 0xFF));
    }

    private void blur(ByteBuffer p, int w, int h) {
        if (cur.length < w) {
            prev = new byte[w];
            cur = new byte[w];
            next = new byte[w];
            out = new byte[w];
        }
        p.get(0, cur, 0, w);
        System.arraycopy(cur, 0, prev, 0, w); // above row 0 is row 0 again (edges replicated)
        for (int y = 0; y < h; y++) {
            if (y + 1 < h) {
                p.get((y + 1) * w, next, 0, w); // still the source: rows after y are not written yet
            } else {
                System.arraycopy(cur, 0, next, 0, w);
            }
            blurRow(prev, cur, next, out, w);
            p.put(y * w, out, 0, w);
            byte[] t = prev;
            prev = cur;
            cur = next;
            next = t;
        }
    }

    /** One output row from three source rows; columns beyond the edges repeat the edge column. */
    void blurRow(byte[] a, byte[] b, byte[] c, byte[] o, int w) {
        for (int x = 0; x < w; x++) o[x] = (byte) blurAt(a, b, c, w, x);
    }

    static int blurAt(byte[] a, byte[] b, byte[] c, int w, int x) {
        int l = Math.max(0, x - 1), r = Math.min(w - 1, x + 1);
        int sum = (a[l] & 0xFF) + (a[x] & 0xFF) + (a[r] & 0xFF)
                + (b[l] & 0xFF) + (b[x] & 0xFF) + (b[r] & 0xFF)
                + (c[l] & 0xFF) + (c[x] & 0xFF) + (c[r] & 0xFF);
        return Px.div9(sum);
    }

    /**
     * 2x2 means of {@code src} ({@code w x h}) into {@code dst} rows of {@code stride}, {@code ow x oh} of them; the
     * second row or column of a block repeats the first at an odd edge. {@code dst} may be {@code src}.
     */
    void downscale(ByteBuffer src, int w, int h, ByteBuffer dst, int stride, int ow, int oh) {
        for (int y = 0; y < oh; y++) downscaleRow(src, w, h, dst, stride, ow, y, 0);
    }

    /** Output row {@code y} from column {@code from} on, scalar. */
    static void downscaleRow(ByteBuffer src, int w, int h, ByteBuffer dst, int stride, int ow, int y, int from) {
        int r0 = Math.min(2 * y, h - 1) * w, r1 = Math.min(2 * y + 1, h - 1) * w;
        for (int x = from; x < ow; x++) {
            int c0 = Math.min(2 * x, w - 1), c1 = Math.min(2 * x + 1, w - 1);
            dst.put(y * stride + x, (byte) Px.mean4(src.get(r0 + c0) & 0xFF, src.get(r0 + c1) & 0xFF,
                    src.get(r1 + c0) & 0xFF, src.get(r1 + c1) & 0xFF));
        }
    }

    private void pip(ByteBuffer p, int w, int h, int frame) {
        int iw = Px.half(w), ih = Px.half(h);
        downscale(p, w, h, p, w, iw, ih); // row y of the inset is written before row 2y is read: safe in place
        for (int y = 0; y <= ih && y < h; y++) if (iw < w) p.put(y * w + iw, (byte) frame);
        if (ih < h) for (int x = 0; x <= iw && x < w; x++) p.put(ih * w + x, (byte) frame);
    }
}
