package dev.streamlab.shared.io;

/**
 * HotSpot's report of a fault reading a mapped file that shrank under the mapping ({@code ffmpeg -y} rewriting a
 * video in place): the SIGBUS becomes an {@link InternalError} with this message at the Java access that touched a
 * page past the new end. Nothing is wrong with the JVM, only with that file's bytes, so a server answers it as a
 * resource that is briefly unavailable. Any other {@code InternalError} (and every other {@code Error}) is a real
 * JVM problem and must propagate.
 */
public final class MappingFault {
    private MappingFault() {}

    public static boolean is(Throwable t) {
        // The wording since JDK 9; JDK 8's said "a fault occurred in a recent unsafe memory access operation".
        return t instanceof InternalError && t.getMessage() != null
                && t.getMessage().contains("unsafe memory access operation");
    }
}
