package dev.streamlab.bench;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code scripts/bench.sh phase3-ws}, part 3: fan-out over real sockets. A fresh phase 3 server (virtual threads);
 * this JVM opens {@code --subscribers} WebSockets on {@code /ws/topic/x} (default queue: 64 messages,
 * drop-oldest), each read by a virtual thread, and one publisher on the same topic sending {@code --bytes}-byte
 * binary messages at {@code --rate} per second for {@code --seconds} (after {@code --warmup} s not counted). Each
 * message starts with the publisher's {@code System.nanoTime()} (same JVM as the readers): publish → receive
 * latency. Server CPU from /proc/PID/stat over the counted window.
 */
public final class WsFanout {
    private WsFanout() {}

    public static void main(String[] args) throws Exception {
        int subscribers = 1000;
        int bytes = 64 * 1024;
        int rate = 30;
        double warmup = 3;
        double seconds = 15;
        String classpath = System.getProperty("java.class.path");
        Path root = Path.of(System.getProperty("streamlab.root", ".")).toAbsolutePath();
        Path out = root.resolve("phase3-websocket/bench-results/phase3-fanout.md");
        String command = "java dev.streamlab.bench.WsFanout " + String.join(" ", args);
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--subscribers" -> subscribers = Math.min(5000, Integer.parseInt(args[++i]));
                case "--bytes" -> bytes = Math.max(16, Math.min(1 << 20, Integer.parseInt(args[++i])));
                case "--rate" -> rate = Math.min(1000, Integer.parseInt(args[++i]));
                case "--warmup" -> warmup = Math.min(30, Double.parseDouble(args[++i]));
                case "--seconds" -> seconds = Math.min(60, Double.parseDouble(args[++i]));
                case "--classpath" -> classpath = args[++i];
                case "--out" -> out = Path.of(args[++i]);
                case "--command" -> command = args[++i];
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Phase3Child p = Phase3Child.start("fanout", root, classpath, List.of("-Xms512m", "-Xmx512m"), "virtual",
                subscribers + 100);
        List<Socket> sockets = new ArrayList<>();
        List<Thread> readers = new ArrayList<>();
        int expectedPerSub = (int) Math.ceil((warmup + seconds + 2) * rate) + 16;
        long[][] latencies = new long[subscribers][expectedPerSub];
        int[] counts = new int[subscribers];
        AtomicLong receivedBytes = new AtomicLong();
        String md;
        AutoCloseable closeLater = null;
        try {
            URI base = p.base();
            for (int i = 0; i < subscribers; i++) {
                Socket s = WsScale.handshakeTo(base, "/ws/topic/x");
                sockets.add(s);
            }
            AtomicLong windowStart = new AtomicLong(Long.MAX_VALUE);
            AtomicLong windowEnd = new AtomicLong(Long.MAX_VALUE);
            int size = bytes;
            for (int i = 0; i < subscribers; i++) {
                int me = i;
                DataInputStream in = new DataInputStream(sockets.get(i).getInputStream());
                sockets.get(i).setSoTimeout(0);
                readers.add(Thread.ofVirtual().start(() -> {
                    byte[] payload = new byte[size];
                    try {
                        while (true) {
                            int b0 = in.readUnsignedByte();
                            int b1 = in.readUnsignedByte();
                            long len = b1 & 0x7f;
                            if (len == 126) len = in.readUnsignedShort();
                            else if (len == 127) len = in.readLong();
                            int opcode = b0 & 0x0f;
                            if (len > payload.length) payload = new byte[(int) len];
                            in.readFully(payload, 0, (int) len);
                            if (opcode == 0x2 && len >= 8) {
                                long now = System.nanoTime();
                                long sent = ByteBuffer.wrap(payload, 0, 8).getLong();
                                if (sent >= windowStart.get() && sent < windowEnd.get()) {
                                    if (counts[me] < latencies[me].length) latencies[me][counts[me]++] = now - sent;
                                    receivedBytes.addAndGet(len);
                                }
                            } else if (opcode == 0x8) {
                                return;
                            }
                        }
                    } catch (IOException e) {
                        // closed at the end
                    }
                }));
            }
            // Heap allocation of the server over the window, read through JMX from outside (phase 2's JvmProbe).
            JvmProbe probe = JvmProbe.attach(p.pid());
            closeLater = probe;
            Socket pub = WsScale.handshakeTo(base, "/ws/topic/x");
            OutputStream po = pub.getOutputStream();
            byte[] frame = new byte[14 + bytes];
            long period = TimeUnit.SECONDS.toNanos(1) / rate;
            long start = System.nanoTime();
            long warmEnd = start + (long) (warmup * 1e9);
            long end = warmEnd + (long) (seconds * 1e9);
            windowStart.set(warmEnd);
            windowEnd.set(end);
            double cpu0 = Double.NaN;
            long alloc0 = -1;
            long published = 0;
            long lateSends = 0;
            for (long k = 0; ; k++) {
                long due = start + k * period;
                if (due >= end) break;
                long wait = due - System.nanoTime();
                if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                else if (wait < -period) lateSends++;
                if (Double.isNaN(cpu0) && due >= warmEnd) {
                    cpu0 = ProcStats.process(p.pid()).total();
                    alloc0 = probe.sample().allocatedBytes();
                }
                writeMasked(po, frame, bytes, System.nanoTime());
                if (due >= warmEnd) published++;
            }
            double cpu1 = ProcStats.process(p.pid()).total();
            long alloc1 = probe.sample().allocatedBytes();
            Thread.sleep(1000); // the last messages in flight
            long[] all = new long[Arrays.stream(counts).sum()];
            int at = 0;
            for (int i = 0; i < subscribers; i++) {
                System.arraycopy(latencies[i], 0, all, at, counts[i]);
                at += counts[i];
            }
            Arrays.sort(all);
            long expected = published * subscribers;
            String date = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'"));
            md = "# Phase 3: fan-out over real sockets (/ws/topic/x)\n\n"
                    + "- Machine: " + Runtime.getRuntime().availableProcessors() + " CPUs, " + System.getProperty("java.vm.name")
                    + " " + System.getProperty("java.version") + ", " + date + "\n"
                    + "- Command: `" + command + "`\n"
                    + String.format(Locale.ROOT, "- Server: `Phase3Main -Xms512m -Xmx512m --threads virtual` (default "
                    + "queue 64 messages, drop-oldest). Client (this JVM): %,d subscribers, each a raw socket read by a "
                    + "virtual thread; 1 publisher sending %,d-byte binary messages (masked) at %d/s; %.0f s warm-up, "
                    + "then a %.0f s window (messages published in the window).%n%n", subscribers, bytes, rate, warmup,
                    seconds)
                    + "| subscribers | message | rate | published | delivered / expected | delivered MB/s | latency p50 | p99 | max | server CPU (of one core) | server heap allocated per delivered message | publisher late sends |\n"
                    + "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
                    + String.format(Locale.ROOT, "| %,d | %,d B | %d/s | %,d | %,d / %,d (%.2f%%) | %,.0f | %.2f ms | %.2f ms | %.2f ms | %.0f%% | %,.0f B | %d |%n",
                    subscribers, bytes, rate, published, all.length, expected, 100.0 * all.length / Math.max(1, expected),
                    receivedBytes.get() / 1e6 / seconds, pct(all, 0.50), pct(all, 0.99), all.length == 0 ? 0 : all[all.length - 1] / 1e6,
                    100 * (cpu1 - cpu0) / seconds, (double) (alloc1 - alloc0) / Math.max(1, all.length), lateSends)
                    + String.format(Locale.ROOT, "%nServer heap allocated in the window: %,d bytes for %,d published and %,d delivered"
                    + " messages of %,d bytes (JMX TotalThreadAllocatedBytes: heap only, everything the server did in the window;"
                    + " the hub's one copy of each published message goes to a direct buffer, off the heap).%n",
                    alloc1 - alloc0, published, all.length, bytes);
            pub.close();
        } finally {
            if (closeLater != null) closeLater.close();
            Phase3Child.closeAll(sockets);
            for (Thread t : readers) t.join(2000);
            p.stop();
        }
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, md, StandardCharsets.UTF_8);
        System.out.print(md);
        System.out.println("Wrote " + out);
    }

    private static double pct(long[] sorted, double q) {
        if (sorted.length == 0) return Double.NaN;
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)] / 1e6;
    }

    /** One client frame: FIN + binary, 64-bit-or-16-bit length, a random mask, the payload (timestamp first). */
    private static void writeMasked(OutputStream out, byte[] frame, int len, long stamp) throws IOException {
        int h = 0;
        frame[h++] = (byte) 0x82;
        if (len < 126) {
            frame[h++] = (byte) (0x80 | len);
        } else if (len < 65536) {
            frame[h++] = (byte) (0x80 | 126);
            frame[h++] = (byte) (len >>> 8);
            frame[h++] = (byte) len;
        } else {
            frame[h++] = (byte) (0x80 | 127);
            for (int s = 56; s >= 0; s -= 8) frame[h++] = (byte) ((long) len >>> s);
        }
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        System.arraycopy(mask, 0, frame, h, 4);
        h += 4;
        ByteBuffer.wrap(frame, h, 8).putLong(stamp);
        for (int i = 0; i < len; i++) {
            frame[h + i] = (byte) ((i < 8 ? frame[h + i] : 0) ^ mask[i & 3]);
        }
        out.write(frame, 0, h + len);
        out.flush();
    }

}
