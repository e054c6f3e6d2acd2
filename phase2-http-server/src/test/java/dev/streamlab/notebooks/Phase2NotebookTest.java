package dev.streamlab.notebooks;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.testing.Notebooks;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Notebook 03 (range requests) runs without a rejected or throwing snippet and shows 206, 416 and multipart. */
class Phase2NotebookTest {
    @Test
    void rangeRequestsNotebookRunsAndShowsEachStatus() throws Exception {
        Path nb = Notebooks.matching("03-.*\\.jsh").getFirst();
        String out = Notebooks.run(nb, Notebooks.classpath("shared", "phase1-fundamentals", "phase2-http-server"));
        System.out.println(out);
        for (String expected : new String[] {"-> 206", "-> 416", "-> 304", "multipart/byteranges", "-> 200"}) {
            assertTrue(out.contains(expected), expected + " missing from the notebook's output:\n" + out);
        }
        // The notebook quiets the server's access log; its default two-line records cluttered every result.
        assertFalse(out.contains("INFO: GET "), "access log lines in the notebook's output:\n" + out);
    }
}
