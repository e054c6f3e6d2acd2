package dev.streamlab.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ProcStatsTest {
    @Test
    void kernelThreadsCpuSumsKthreaddsChildrenAndNotThisProcess() {
        if (!ProcStats.kernelThreadsVisible()) {
            // A PID namespace of its own (a container): pid 2 is some process, not kthreadd, and must not be summed.
            assertEquals(new ProcStats.Cpu(0, 0), ProcStats.kernelThreadsCpu());
            return;
        }
        double kthreadd = ProcStats.process(2).total();
        ProcStats.Cpu before = ProcStats.kernelThreadsCpu();
        double self0 = ProcStats.selfCpuSeconds();
        long x = 0;
        // busy until this JVM has used 0.3 s more CPU (bounded: 10 s of wall time on a starved machine)
        for (long end = System.nanoTime() + 10_000_000_000L;
             ProcStats.selfCpuSeconds() - self0 < 0.3 && System.nanoTime() < end; ) {
            for (int i = 0; i < 1_000_000; i++) x += Long.hashCode(x + i);
        }
        double self = ProcStats.selfCpuSeconds() - self0;
        double kernel = ProcStats.kernelThreadsCpu().minus(before).total();
        // ksoftirqd, kworkers and the rest have run since boot: more than kthreadd alone
        assertTrue(before.total() > kthreadd, before + " vs kthreadd's " + kthreadd);
        // this JVM's CPU is not counted as the kernel's (x keeps the loop from being removed)
        assertTrue(self >= 0.3 && kernel < self, "self " + self + " s, kernel threads " + kernel + " s, " + x);
    }
}
