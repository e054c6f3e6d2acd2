package dev.streamlab.buffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class XorChecksumTest {

    @Test
    void theChecksumIsTheXorOfBigEndianWordsWithTheTailPaddedWithZeros() {
        byte[] data = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
        long expected = 0x0102030405060708L ^ 0x090A0B0000000000L;
        assertEquals(expected, XorChecksum.of(ByteBuffer.wrap(data)));
    }

    @Test
    void splittingIntoChunksOfMultiplesOfEightKeepsTheChecksum() {
        byte[] data = ChunkReaderTest.randomBytes(10_003);
        long whole = XorChecksum.of(ByteBuffer.wrap(data));
        for (int chunk : new int[] {8, 16, 1024, 4096}) {
            XorChecksum sum = new XorChecksum();
            for (int from = 0; from < data.length; from += chunk) {
                sum.accept(ByteBuffer.wrap(data, from, Math.min(chunk, data.length - from)).slice());
            }
            assertEquals(whole, sum.value(), "chunks of " + chunk);
        }
    }

    @Test
    void everyByteChangesTheChecksum() {
        for (int length = 1; length <= 24; length++) {
            byte[] data = ChunkReaderTest.randomBytes(length);
            long original = XorChecksum.of(ByteBuffer.wrap(data));
            for (int i = 0; i < length; i++) {
                data[i] ^= 0x10;
                assertNotEquals(original, XorChecksum.of(ByteBuffer.wrap(data)), "length " + length + ", byte " + i);
                data[i] ^= 0x10;
            }
        }
    }

    @Test
    void onlyTheBytesBetweenPositionAndLimitCountAndThePositionStays() {
        byte[] data = ChunkReaderTest.randomBytes(100);
        ByteBuffer buf = ByteBuffer.wrap(data).position(10).limit(50);

        long sum = XorChecksum.of(buf);

        assertEquals(XorChecksum.of(ByteBuffer.wrap(data, 10, 40).slice()), sum);
        assertEquals(10, buf.position());
        assertEquals(50, buf.limit());
    }

    @Test
    void byteOrderDoesNotChangeTheChecksum() {
        byte[] data = ChunkReaderTest.randomBytes(1001);
        ByteBuffer direct = ByteBuffer.allocateDirect(data.length).put(data).flip().order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(XorChecksum.of(ByteBuffer.wrap(data)), XorChecksum.of(direct));
    }

    @Test
    void resetStartsOver() {
        XorChecksum sum = new XorChecksum();
        sum.accept(ByteBuffer.wrap(new byte[] {1, 2, 3}));
        sum.reset();
        assertEquals(0, sum.value());
    }
}
