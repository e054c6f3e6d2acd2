package dev.streamlab.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;

/** The notebook runner itself: a snippet that never ends fails the notebook instead of hanging the build. */
class NotebooksTest {
    @TempDir
    Path tmp;

    @Test
    void aSnippetThatNeverEndsIsStoppedAndNamedInTheFailure() throws Exception {
        Path nb = Files.writeString(tmp.resolve("hangs.jsh"), """
                System.out.println("before the wait");
                new java.util.concurrent.CountDownLatch(1).await(); // a condition that never comes
                System.out.println("after the wait");
                """);
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> Notebooks.run(nb, "", Duration.ofSeconds(3)));
        assertTrue(e.getMessage().contains("hangs.jsh snippet 2 ran longer than 3 s"), e.getMessage());
        assertTrue(e.getMessage().contains("before the wait"), e.getMessage());
        assertTrue(!e.getMessage().contains("after the wait"), e.getMessage());
    }

    @Test
    void snippetsWithinTheLimitRunAndTheirOutputIsReturned() throws Exception {
        Path nb = Files.writeString(tmp.resolve("quick.jsh"), """
                int x = 6 * 7;
                System.out.println("x = " + x);
                """);
        assertEquals("x = 42\n", Notebooks.run(nb, "", Duration.ofSeconds(30)).replace("\r\n", "\n"));
    }
}
