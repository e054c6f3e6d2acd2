package dev.streamlab.websocket.frame;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * RFC 6455 §5.3 masking: {@code transformed-octet-i = original-octet-i XOR masking-key-octet-(i MOD 4)}. The same
 * operation masks and unmasks.
 *
 * <p>Eight bytes per step: the 4-byte key, rotated to the payload offset where the step starts, is repeated into a
 * {@code long} and XORed with eight payload bytes read as one {@code long}. Because 8 is a multiple of 4 the key
 * phase is the same for every step, so only the start offset matters; the last 0–7 bytes go one at a time. The
 * {@code long}s go through a big-endian byte-buffer view {@link VarHandle}, which works for heap and direct buffers
 * at any index and ignores the buffers' own {@link ByteBuffer#order()} — so a caller's buffer order never matters.
 */
final class Masking {
    private static final VarHandle LONG_BE = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private Masking() {
    }

    /**
     * Copies {@code length} bytes from {@code src[srcIndex..]} to {@code dst[dstIndex..]}, XORing them with the mask
     * key as if they started at byte {@code payloadOffset} of the payload. Positions and limits are not touched;
     * {@code src} and {@code dst} may be the same buffer at the same index (in-place).
     */
    static void copyMasked(ByteBuffer src, int srcIndex, ByteBuffer dst, int dstIndex, int length, int maskKey,
                           long payloadOffset) {
        int phase = (int) (payloadOffset & 3);
        int rotated = Integer.rotateLeft(maskKey, 8 * phase); // key byte `phase` becomes the first (high) byte
        long mask = ((long) rotated << 32) | (rotated & 0xFFFF_FFFFL);
        int i = 0;
        for (; i + Long.BYTES <= length; i += Long.BYTES) {
            long v = (long) LONG_BE.get(src, srcIndex + i);
            LONG_BE.set(dst, dstIndex + i, v ^ mask);
        }
        for (; i < length; i++) {
            int keyByte = rotated >>> (24 - 8 * (i & 3)); // i & 3 == (phase + i) & 3 relative to `rotated`
            dst.put(dstIndex + i, (byte) (src.get(srcIndex + i) ^ keyByte));
        }
    }
}
