package dev.streamlab.mp4;

import dev.streamlab.testing.ExternalTools;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * ffprobe as an independent oracle: what FFmpeg's own MP4 demuxer says about a file, read from its
 * {@code -of compact} output ({@code section|key=value|key=value}).
 */
final class Ffprobe {
    private final Path ffprobe = ExternalTools.ffprobe();

    /**
     * One map per stream: index, codec_name, codec_type, profile, level, width, height, nb_frames, start_time,
     * duration, ...
     */
    List<Map<String, String>> streams(Path file) throws IOException, InterruptedException {
        return sections(ExternalTools.run(60, ffprobe.toString(), "-v", "error", "-show_entries",
                "stream=index,codec_name,codec_type,profile,level,width,height,nb_frames,start_time,duration,bit_rate,"
                        + "sample_rate,channels,pix_fmt", "-of", "compact", file.toString()), "stream");
    }

    Map<String, String> format(Path file) throws IOException, InterruptedException {
        return sections(ExternalTools.run(60, ffprobe.toString(), "-v", "error", "-show_entries",
                "format=duration,size,format_name", "-of", "compact", file.toString()), "format").getFirst();
    }

    /** Presentation times (s) of the key packets of stream {@code index}, ascending, as ffprobe reports them. */
    List<Double> keyframeTimes(Path file, int index) throws IOException, InterruptedException {
        List<Double> out = new ArrayList<>();
        for (var p : sections(ExternalTools.run(60, ffprobe.toString(), "-v", "error", "-select_streams",
                String.valueOf(index), "-show_entries", "packet=pts_time,flags", "-of", "compact", file.toString()),
                "packet")) {
            if (p.get("flags").startsWith("K")) out.add(Double.parseDouble(p.get("pts_time")));
        }
        out.sort(null);
        return out;
    }

    private static List<Map<String, String>> sections(String text, String name) {
        List<Map<String, String>> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (!line.startsWith(name + "|")) continue;
            Map<String, String> m = new LinkedHashMap<>();
            for (String kv : line.substring(name.length() + 1).split("\\|")) {
                int eq = kv.indexOf('=');
                if (eq > 0) m.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
            out.add(m);
        }
        return out;
    }
}
