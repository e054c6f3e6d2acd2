package dev.streamlab.pixels;

import java.nio.ByteBuffer;

/**
 * The textbook version: every plane read pixel by pixel into a new array, the result computed into another new
 * array, a new picture returned. Two frame-sized allocations and two copies per frame, and a bounds-checked
 * {@code get(int)} per pixel — what {@code PixelBenchmark}'s bytes/op shows.
 */
final class NaiveOps implements PixelOps {
    @Override
    public Variant variant() {
        return Variant.NAIVE;
    }

    @Override
    public YuvImage apply(Filter filter, YuvImage img) {
        int w = img.width(), h = img.height(), cw = img.chromaWidth(), ch = img.chromaHeight();
        byte[][] in = {read(img.y(), w * h), read(img.u(), cw * ch), read(img.v(), cw * ch)};
        int[][] dims = {{w, h}, {cw, ch}, {cw, ch}};
        byte[][] out = new byte[3][];
        int outW = w, outH = h;
        switch (filter) {
            case NONE -> {
                for (int p = 0; p < 3; p++) out[p] = in[p].clone();
            }
            case GRAYSCALE -> {
                out[0] = in[0].clone();
                for (int p = 1; p < 3; p++) {
                    out[p] = new byte[in[p].length];
                    for (int i = 0; i < out[p].length; i++) out[p][i] = (byte) Px.GRAY;
                }
            }
            case BRIGHTNESS -> {
                out[0] = new byte[in[0].length];
                for (int i = 0; i < in[0].length; i++) out[0][i] = (byte) Px.brightness(in[0][i] & 0xFF);
                out[1] = in[1].clone();
                out[2] = in[2].clone();
            }
            case BLUR -> {
                for (int p = 0; p < 3; p++) out[p] = blur(in[p], dims[p][0], dims[p][1]);
            }
            case DOWNSCALE -> {
                outW = Px.half(w);
                outH = Px.half(h);
                int ocw = YuvImage.chroma(outW), och = YuvImage.chroma(outH);
                out[0] = downscale(in[0], w, h, outW, outH);
                out[1] = downscale(in[1], cw, ch, ocw, och);
                out[2] = downscale(in[2], cw, ch, ocw, och);
            }
            case PIP -> {
                for (int p = 0; p < 3; p++) out[p] = pip(in[p], dims[p][0], dims[p][1], p == 0 ? Px.FRAME : Px.GRAY);
            }
        }
        return new YuvImage(outW, outH, ByteBuffer.wrap(out[0]), ByteBuffer.wrap(out[1]), ByteBuffer.wrap(out[2]));
    }

    private static byte[] read(ByteBuffer plane, int n) {
        byte[] a = new byte[n];
        for (int i = 0; i < n; i++) a[i] = plane.get(i);
        return a;
    }

    private static int at(byte[] a, int w, int h, int x, int y) {
        return a[Math.clamp(y, 0, h - 1) * w + Math.clamp(x, 0, w - 1)] & 0xFF;
    }

    static byte[] blur(byte[] in, int w, int h) {
        byte[] out = new byte[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int sum = 0;
                for (int dy = -1; dy <= 1; dy++) for (int dx = -1; dx <= 1; dx++) sum += at(in, w, h, x + dx, y + dy);
                out[y * w + x] = (byte) Px.div9(sum);
            }
        }
        return out;
    }

    static byte[] downscale(byte[] in, int w, int h, int ow, int oh) {
        byte[] out = new byte[ow * oh];
        for (int y = 0; y < oh; y++) {
            for (int x = 0; x < ow; x++) {
                out[y * ow + x] = (byte) Px.mean4(at(in, w, h, 2 * x, 2 * y), at(in, w, h, 2 * x + 1, 2 * y),
                        at(in, w, h, 2 * x, 2 * y + 1), at(in, w, h, 2 * x + 1, 2 * y + 1));
            }
        }
        return out;
    }

    static byte[] pip(byte[] in, int w, int h, int frame) {
        byte[] out = in.clone();
        int iw = Px.half(w), ih = Px.half(h);
        byte[] inset = downscale(in, w, h, iw, ih);
        for (int y = 0; y < ih; y++) System.arraycopy(inset, y * iw, out, y * w, iw);
        drawFrame(out, w, h, iw, ih, frame);
        return out;
    }

    /** The inset's frame: the column right of it and the row below it, where the picture has them. */
    static void drawFrame(byte[] p, int w, int h, int iw, int ih, int value) {
        for (int y = 0; y <= ih && y < h; y++) if (iw < w) p[y * w + iw] = (byte) value;
        if (ih < h) for (int x = 0; x <= iw && x < w; x++) p[ih * w + x] = (byte) value;
    }
}
