package dev.streamlab.notebooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.testing.ExternalTools;
import dev.streamlab.testing.Notebooks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Notebook 04 (a WebSocket frame by hand, an fMP4 init segment, virtual threads that keep their carriers, the same
 * file sent three ways and {@code transferTo} on a full socket) runs and shows what it promises. The CPU figures it
 * prints are for the student to read, not checked: this machine is too noisy for timed assertions.
 */
class Phase3NotebookTest {
    @Test
    void websocketAndFmp4NotebookRunsAndShowsFramesAndBoxes() throws Exception {
        Path nb = Notebooks.matching("04-.*\\.jsh").getFirst();
        String out = Notebooks.run(nb, Notebooks.classpath("shared", "phase1-fundamentals", "phase2-http-server",
                "phase3-websocket"));
        System.out.println(out);
        for (String expected : new String[] {"client frame: 81 85", "unmasked by hand: hello",
                "payload 65536 -> header 14 bytes", "mvex", "trex", "samples in the init segment: 0",
                "direct views of the file", "busy virtual threads, a new one started after",
                "capped ones (WorkCap: 10 units per 10 ms) after"}) {
            assertTrue(out.contains(expected), expected + " missing from the notebook's output:\n" + out);
        }
        // Each of the three ways delivered every byte (1,000 sends of the sample), or its figures mean nothing.
        for (String way : new String[] {"heap buffer:", "direct buffer:", "transferTo (sendfile):"}) {
            Matcher m = Pattern.compile(Pattern.quote(way) + " +[\\d.]+ ms of CPU per MB, [\\d.]+ of it in user space;"
                    + " received ([\\d,]+) bytes = sent: (\\w+)").matcher(out);
            assertTrue(m.find(), way + " missing from the notebook's output:\n" + out);
            assertEquals("true", m.group(2), out);
            assertEquals(1_000L * Files.size(ExternalTools.media().resolve("sample-30s-360p-h264-aac.mp4")),
                    Long.parseLong(m.group(1).replace(",", "")));
        }
        // The JDK behaviour phase 3's Http1Writer is built around: 0 from transferTo, not a wait, on a virtual thread.
        Matcher full = Pattern.compile("transferTo to a socket nobody reads: ([\\d,]+) bytes accepted in ([\\d,]+)"
                + " calls, then it returned (-?\\d+) instead of waiting").matcher(out);
        assertTrue(full.find(), "the full-socket line is missing from the notebook's output:\n" + out);
        assertEquals("0", full.group(3));
        assertTrue(Long.parseLong(full.group(1).replace(",", "")) > 0, out);
    }
}
