package dev.streamlab.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.testing.ExternalTools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link CatalogJson#boxes} on a file made by ffmpeg: every frame a keyframe, more than the answer lists. */
class CatalogJsonTest {
    @TempDir
    Path dir;

    @Test
    void aFileOfOnlyKeyframesListsTheFirstThousandAndSaysHowManyThereAre() throws Exception {
        // 1,200 frames of 32x32 at 100 fps, each one a keyframe (-g 1): 12 s, a few hundred KB.
        Path mp4 = dir.resolve("all-keys.mp4");
        Process p = new ProcessBuilder(ExternalTools.ffmpeg().toString(), "-nostdin", "-v", "error", "-f", "lavfi",
                "-i", "testsrc=size=32x32:rate=100", "-t", "12", "-g", "1", "-c:v", "libx264", "-pix_fmt", "yuv420p",
                mp4.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "ffmpeg: " + out);
        VideoEntry e = new Catalog(dir).find("all-keys").orElseThrow();
        Map<String, Object> m = CatalogJson.boxes(e);
        assertEquals(1200, m.get("keyframes_total"));
        assertEquals(CatalogJson.MAX_KEYFRAMES_LISTED, ((List<?>) m.get("keyframes")).size(),
                "a bounded answer whatever the file holds");
        assertTrue(Files.size(mp4) < 2_000_000);
    }
}
