package dev.streamlab.stream.abr;

import java.util.Locale;

/**
 * Picks a rung for one client from its reports (issue 6), with hysteresis so the choice does not flap. Not
 * thread-safe: the stream session calls it under its own lock. Pure (time is passed in), so tests drive it
 * report by report.
 *
 * <p>Rules, evaluated once per {@code stats} report, in auto mode only:
 * <ul>
 *   <li><b>Down one rung</b> when the throughput estimate is below {@link #DOWN_FACTOR} × the current rung's
 *       bandwidth, or the client's buffer is below half the low watermark (the server refills at low, so on a
 *       path that keeps up the buffer never gets far below it; and only once it has been at or above low since
 *       the last switch or restart: a buffer that is still filling after a seek is no sign of a slow path).</li>
 *   <li><b>Up one rung</b> only when the throughput estimate is above {@link #UP_FACTOR} × the next rung's
 *       bandwidth on {@link #UP_REPORTS} consecutive reports, the buffer is at least
 *       {@code (low + high) / 2} (the upper half of the band the server keeps it in), and at least
 *       {@link #UP_HOLD_NANOS} have passed since the last down-switch.</li>
 * </ul>
 * Going down is quick (one bad report) because a stall costs more than a blurry GOP; going up is slow because
 * a switch that must be undone costs two init segments and a visible quality jump. The asymmetric factors
 * (1.2 vs 1.5) leave a dead band where neither rule fires.
 */
public final class AbrController {
    public static final double DOWN_FACTOR = 1.2;
    public static final double UP_FACTOR = 1.5;
    public static final int UP_REPORTS = 2;
    public static final long UP_HOLD_NANOS = 10_000_000_000L;

    /** A decision: go to {@code rung}, for {@code reason} (sent to the client in the {@code rung} message). */
    public record Switch(int rung, String reason) {}

    private final long[] bandwidth;
    private final double lowS;
    private final double highS;
    private int target;
    private boolean auto = true;
    private int goodReports;
    private boolean armed;
    private long lastDown = Long.MIN_VALUE;

    /**
     * @param bandwidth bits/s of each rung, ascending
     * @param start     the starting rung
     */
    public AbrController(long[] bandwidth, int start, double lowS, double highS) {
        if (bandwidth.length == 0) throw new IllegalArgumentException("no rungs");
        if (start < 0 || start >= bandwidth.length) throw new IllegalArgumentException("start rung " + start);
        if (!(lowS > 0 && highS > lowS)) throw new IllegalArgumentException("watermarks " + lowS + ", " + highS);
        this.bandwidth = bandwidth.clone();
        this.target = start;
        this.lowS = lowS;
        this.highS = highS;
    }

    /** The rung chosen last (by a switch or a pin). */
    public int target() {
        return target;
    }

    public boolean auto() {
        return auto;
    }

    /** Manual: stay on {@code rung} until {@link #resumeAuto()}. */
    public void pin(int rung) {
        if (rung < 0 || rung >= bandwidth.length) throw new IllegalArgumentException("rung " + rung);
        auto = false;
        target = rung;
        reset();
    }

    public void resumeAuto() {
        auto = true;
        reset();
    }

    /** A new timeline (open, seek, skip): the buffer starts empty again, so the low-buffer rule waits. */
    public void restarted() {
        armed = false;
        goodReports = 0;
    }

    private void reset() {
        armed = false;
        goodReports = 0;
    }

    /**
     * The server fell behind real time and skipped (auto mode): one rung down at once, without waiting for a
     * report. Null in manual mode or on the lowest rung.
     */
    public Switch behind(long now) {
        if (!auto || target == 0) return null;
        target--;
        lastDown = now;
        reset();
        return new Switch(target, "fell behind real time: skipped to a newer keyframe");
    }

    /**
     * One report.
     *
     * @param bufferedS  seconds buffered ahead of the client's playhead
     * @param throughput the estimate in bits/s, or NaN when there is none yet
     * @param now        {@link System#nanoTime()} or a test's clock
     * @return the switch to make, or null
     */
    public Switch report(double bufferedS, double throughput, long now) {
        if (!auto) return null;
        boolean low = armed && bufferedS < lowS / 2;
        if (bufferedS >= lowS) armed = true;
        boolean slow = !Double.isNaN(throughput) && throughput < DOWN_FACTOR * bandwidth[target];
        if (target > 0 && (slow || low)) {
            target--;
            lastDown = now;
            reset();
            return new Switch(target, slow
                    ? String.format(Locale.ROOT, "throughput %.0f kbit/s < %.1f x %d kbit/s", throughput / 1000, DOWN_FACTOR,
                            bandwidth[target + 1] / 1000)
                    : String.format(Locale.ROOT, "buffer %.1f s < half the low watermark (%.1f s)", bufferedS, lowS));
        }
        if (target + 1 >= bandwidth.length || Double.isNaN(throughput)
                || throughput <= UP_FACTOR * bandwidth[target + 1]) {
            goodReports = 0;
            return null;
        }
        goodReports++;
        boolean held = lastDown == Long.MIN_VALUE || now - lastDown >= UP_HOLD_NANOS;
        if (goodReports >= UP_REPORTS && bufferedS >= (lowS + highS) / 2 && held) {
            target++;
            reset();
            return new Switch(target, String.format(Locale.ROOT, "throughput %.0f kbit/s > %.1f x %d kbit/s on %d reports",
                    throughput / 1000, UP_FACTOR, bandwidth[target] / 1000, UP_REPORTS));
        }
        return null;
    }
}
