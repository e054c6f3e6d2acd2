package dev.streamlab.bench;

import dev.streamlab.websocket.deflate.DeflateEvents;
import dev.streamlab.websocket.deflate.MessageDeflater;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The compression ratios of phase 4's experiment as a Markdown table: no timing, so the numbers are the same on any
 * machine. Each row is a sequence of messages compressed as permessage-deflate would ({@link MessageDeflater}),
 * per message (no context takeover) at levels 1, 6 and 9, and, for message streams, with context takeover at 6.
 * Ratio = original bytes / compressed payload bytes (frame headers left out on both sides).
 *
 * <pre>java -Dstreamlab.media=media -cp &lt;phase 4 test classpath&gt; dev.streamlab.bench.CompressionRatios [--append FILE]</pre>
 */
public final class CompressionRatios {
    private CompressionRatios() {}

    record Row(String name, List<byte[]> messages, boolean stream) {}

    public static void main(String[] args) throws Exception {
        Path append = args.length == 2 && args[0].equals("--append") ? Path.of(args[1]) : null;
        String table = table();
        if (append == null) {
            System.out.print(table);
        } else {
            Files.writeString(append, table, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            System.out.println("==> appended the ratio table to " + append);
        }
    }

    static String table() throws IOException, InterruptedException {
        Path media = CompressionPayloads.media();
        List<Row> rows = new ArrayList<>();
        rows.add(new Row("fMP4 video segments, " + CompressionPayloads.SAMPLE,
                CompressionPayloads.allVideoSegments(media.resolve(CompressionPayloads.SAMPLE)), false));
        for (String rung : new String[]{"240p", "360p", "720p"}) {
            rows.add(new Row("fMP4 video segments, ladder " + rung,
                    CompressionPayloads.allVideoSegments(media.resolve("ladder/ladder-30s-" + rung + ".mp4")), false));
        }
        String rawNote = null;
        try {
            List<byte[]> frames = new ArrayList<>();
            for (double t : new double[]{2.5, 12.5, 22.5}) frames.add(CompressionPayloads.rawFrame(t));
            rows.add(new Row("raw YUV 4:2:0 frames 640×360 (3 decoded frames)", frames, false));
        } catch (IllegalStateException noFfmpeg) {
            rawNote = "raw frames: not measured — " + noFfmpeg.getMessage();
        }
        String scrape = CompressionPayloads.metricsScrape();
        rows.add(new Row("/metrics scrape (one)", List.of(scrape.getBytes(StandardCharsets.UTF_8)), false));
        List<byte[]> scrapes = new ArrayList<>();
        for (int i = 0; i < 10; i++) scrapes.add(scrape.replace("} 0", "} " + i).getBytes(StandardCharsets.UTF_8));
        rows.add(new Row("/metrics scrapes, 10 in a row (a dashboard's feed)", scrapes, true));
        rows.add(new Row("meta JSON (/ws/stream, once per open)", List.of(CompressionPayloads.metaJson().getBytes(StandardCharsets.UTF_8)), false));
        List<byte[]> stats = new ArrayList<>();
        for (int i = 0; i < 100; i++) stats.add(CompressionPayloads.statsJson(i).getBytes(StandardCharsets.UTF_8));
        rows.add(new Row("stats JSON, 100 in a row (a player's 100 s)", stats, true));

        StringBuilder b = new StringBuilder();
        b.append("\n## Compression ratios (CompressionRatios)\n\n");
        b.append("Original bytes / compressed bytes, each message compressed as permessage-deflate does (raw DEFLATE,"
                + " sync flush, 4-byte tail cut). \"Per message\" resets the compressor after every message"
                + " (`no_context_takeover`); \"stream\" keeps its 32 KiB window across the messages (context takeover),"
                + " as a long-lived control channel does.\n\n");
        b.append("| payload | messages | bytes/message | level 1 | level 6 | level 9 | level 6, stream | bytes/message at 6 (stream) |\n");
        b.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Row r : rows) {
            long raw = 0;
            for (byte[] m : r.messages()) raw += m.length;
            b.append("| ").append(r.name()).append(" | ").append(r.messages().size()).append(" | ")
                    .append(raw / r.messages().size());
            for (int level : new int[]{1, 6, 9}) b.append(" | ").append(ratio(raw, compressedBytes(r.messages(), level, true)));
            if (r.stream()) {
                long c = compressedBytes(r.messages(), 6, false);
                b.append(" | ").append(ratio(raw, c)).append(" | ").append(c / r.messages().size()).append(" |\n");
            } else {
                b.append(" | – | – |\n");
            }
        }
        if (rawNote != null) b.append("\n").append(rawNote).append("\n");
        return b.toString();
    }

    static long compressedBytes(List<byte[]> messages, int level, boolean noContextTakeover) {
        MessageDeflater d = new MessageDeflater(level, noContextTakeover, DeflateEvents.NONE);
        try {
            long n = 0;
            for (byte[] m : messages) n += d.compress(ByteBuffer.wrap(m)).remaining();
            return n;
        } finally {
            d.end();
        }
    }

    static String ratio(long raw, long compressed) {
        return String.format(Locale.ROOT, "%.2f×", (double) raw / compressed);
    }
}
