package dev.streamlab.phase2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@link StallWatchdog}, driven by calling {@code check()} as its timer does, so no test waits for a tick. */
class StallWatchdogTest {
    /** A body whose one write blocks until released, like a write to a client that stopped reading. */
    private static final class BlockedBody extends OutputStream {
        final CountDownLatch writing = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            writing.countDown();
            try {
                if (!release.await(30, TimeUnit.SECONDS)) throw new IOException("never released");
            } catch (InterruptedException e) {
                throw new InterruptedIOException("interrupted by the watchdog");
            }
        }
    }

    @Test
    void aStallTimeoutTooLargeForNanosecondsNeverCutsAWrite() throws Exception {
        AtomicInteger stalls = new AtomicInteger();
        // --stall-timeout 10000000000 (seconds): 10^19 ns, past Long.MAX_VALUE.
        try (StallWatchdog watchdog = new StallWatchdog(TimeUnit.SECONDS.toMillis(10_000_000_000L),
                stalls::incrementAndGet)) {
            BlockedBody body = new BlockedBody();
            OutputStream watched = watchdog.watch(body);
            AtomicBoolean interrupted = new AtomicBoolean();
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    watched.write(new byte[] {1});
                } catch (InterruptedIOException e) {
                    interrupted.set(true);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            assertTrue(body.writing.await(10, TimeUnit.SECONDS), "the write started");
            watchdog.check();
            body.release.countDown();
            writer.join(10_000);
            assertEquals(0, stalls.get(), "a write of a moment counted as stalled");
            assertFalse(interrupted.get(), "the write was interrupted");
        }
    }
}
