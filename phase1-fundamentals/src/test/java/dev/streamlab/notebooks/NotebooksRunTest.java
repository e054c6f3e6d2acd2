package dev.streamlab.notebooks;

import dev.streamlab.testing.Notebooks;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Phase 1's notebooks (01 buffers, 02 MP4 boxes) run snippet by snippet without a rejection or an exception. */
class NotebooksRunTest {
    static List<Path> notebooks() throws IOException {
        return Notebooks.matching("0[12]-.*\\.jsh");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("notebooks")
    void notebookRunsWithoutErrors(Path notebook) throws IOException {
        System.out.println(Notebooks.run(notebook, Notebooks.classpath("shared", "phase1-fundamentals")));
    }
}
