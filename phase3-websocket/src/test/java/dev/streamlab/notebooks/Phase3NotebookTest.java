package dev.streamlab.notebooks;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.testing.Notebooks;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Notebook 04 (a WebSocket frame by hand, an fMP4 init segment, virtual threads that keep their carriers) runs and
 * shows what it promises.
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
    }
}
