package dev.streamlab.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * CPU time and peak resident memory of a process and its descendants, read from Linux's {@code /proc}: for nginx
 * the master and its workers, for a JVM the one process (all its threads).
 *
 * <ul>
 *   <li>CPU: {@code utime + stime} (fields 14 and 15 of {@code /proc/PID/stat}), in clock ticks of
 *   {@link #TICKS_PER_SECOND} (USER_HZ, 100 on every Linux ABI Java runs on; {@code getconf CLK_TCK}).</li>
 *   <li>Peak RSS: {@code VmHWM} of {@code /proc/PID/status}, the high-water mark since the process started. Summed
 *   over processes it counts pages they share (nginx's code, the page cache is not in RSS) more than once.</li>
 * </ul>
 * A process that exits between listing and reading counts as zero.
 */
final class ProcStats {
    static final double TICKS_PER_SECOND = 100;

    /**
     * @param cpu         user and system CPU of the process tree so far
     * @param peakRssKiB  the sum of the processes' VmHWM
     * @param anonRssKiB  the sum of their RssAnon now
     * @param processes   how many processes were read
     */
    record Sample(Cpu cpu, long peakRssKiB, long anonRssKiB, int processes) {}

    private ProcStats() {}

    static boolean available() {
        return Files.isReadable(Path.of("/proc/self/stat"));
    }

    /** The process and every descendant alive now. */
    static Sample tree(long pid) {
        List<Long> pids = new ArrayList<>();
        pids.add(pid);
        ProcessHandle.of(pid).ifPresent(h -> h.descendants().forEach(d -> pids.add(d.pid())));
        double user = 0;
        double system = 0;
        long peak = 0;
        long anon = 0;
        for (long p : pids) {
            Cpu c = cpu(Long.toString(p), 14);
            user += c.user();
            system += c.system();
            peak += statusKiB(Long.toString(p), "VmHWM:");
            anon += statusKiB(Long.toString(p), "RssAnon:");
        }
        return new Sample(new Cpu(user, system), peak, anon, pids.size());
    }

    /** One process's own CPU (utime, stime), its children's not counted; zeros when it is gone. */
    static Cpu process(long pid) {
        return cpu(Long.toString(pid), 14);
    }

    /** This JVM's own CPU (the load generator's cost: it shares the cores with the server). */
    static double selfCpuSeconds() {
        return cpu("self", 14).total();
    }

    /**
     * CPU seconds split into user and system time.
     *
     * @param user   utime (or cutime)
     * @param system stime (or cstime)
     */
    record Cpu(double user, double system) {
        double total() {
            return user + system;
        }

        Cpu minus(Cpu earlier) {
            return new Cpu(user - earlier.user, system - earlier.system);
        }
    }

    /**
     * The CPU of this JVM's children that have exited and been waited for (cutime, cstime): how a client program
     * such as wrk is measured, by the difference across its run and {@code waitFor}.
     */
    static Cpu reapedChildrenCpu() {
        return cpu("self", 16);
    }

    /**
     * The CPU of every kernel thread now: {@link #tree} of kthreadd (pid 2), whose children the kernel's own threads
     * are. That is work the kernel does outside any process's system calls — softirqs pushed to {@code ksoftirqd},
     * {@code kworker}s, and on this machine {@code kdamond}, the VM's DAMON memory monitor, whose scans take the CPU
     * in slices of several milliseconds and grow with the memory processes keep resident (phase 3 README, part 1).
     * Zeros when not Linux or when this process sees no kernel threads (a PID namespace of its own, where pid 2 is
     * some process, not kthreadd).
     */
    static Cpu kernelThreadsCpu() {
        return kernelThreadsVisible() ? tree(2).cpu() : new Cpu(0, 0);
    }

    /** Whether pid 2 here is the kernel's thread creator, the parent of every other kernel thread. */
    static boolean kernelThreadsVisible() {
        try {
            return Files.readString(Path.of("/proc/2/comm")).strip().equals("kthreadd");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Fields {@code first} and {@code first + 1} of {@code /proc/PID/stat} in seconds; zeros when gone. */
    private static Cpu cpu(String pid, int first) {
        try {
            String stat = Files.readString(Path.of("/proc", pid, "stat"));
            // The command name (field 2) is in parentheses and may hold spaces: split after the last ')'.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" +");
            // f[0] is field 3 (state), so field n is f[n - 3].
            return new Cpu(Long.parseLong(f[first - 3]) / TICKS_PER_SECOND,
                    Long.parseLong(f[first - 2]) / TICKS_PER_SECOND);
        } catch (IOException | RuntimeException e) {
            return new Cpu(0, 0); // gone, or not Linux
        }
    }

    /** A {@code kB} field of {@code /proc/PID/status}. */
    static long statusKiB(String pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", pid, "status"))) {
                if (line.startsWith(field)) return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        } catch (IOException | RuntimeException e) {
            // gone, or not Linux
        }
        return 0;
    }
}
