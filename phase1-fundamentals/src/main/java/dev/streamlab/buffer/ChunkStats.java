package dev.streamlab.buffer;

/**
 * What one {@link ChunkReader#read} pass did.
 *
 * @param bytesDelivered bytes handed to the consumer, i.e. the file size
 * @param chunks number of {@code accept} calls
 * @param userSpaceBytesCopied bytes copied by Java code (ours or the JDK's) between the kernel and the view the
 *     consumer sees; counted where each copy happens, not derived from the strategy. The kernel's own copy out
 *     of the page cache ({@code read(2)}) is not counted: it happens for every strategy but mapped.
 */
public record ChunkStats(long bytesDelivered, long chunks, long userSpaceBytesCopied) {

    public ChunkStats {
        if (bytesDelivered < 0 || chunks < 0 || userSpaceBytesCopied < 0) {
            throw new IllegalArgumentException("counters cannot be negative: bytesDelivered=" + bytesDelivered
                    + ", chunks=" + chunks + ", userSpaceBytesCopied=" + userSpaceBytesCopied);
        }
    }

    /** How many times, on average, each delivered byte was copied in user space (0 for an empty file). */
    public double copiesPerByte() {
        return bytesDelivered == 0 ? 0 : (double) userSpaceBytesCopied / bytesDelivered;
    }

    @Override
    public String toString() {
        return String.format("%,d bytes in %,d chunks, %,d bytes copied in user space (%.2f copies/byte)",
                bytesDelivered, chunks, userSpaceBytesCopied, copiesPerByte());
    }
}
