package dev.streamlab.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.phase2.RawHttp;
import dev.streamlab.phase3.Phase3Server;
import dev.streamlab.testing.Fifos;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /dashboard} reads its page on every request, so it meets whatever a student left in the folder. */
class DashboardRouteTest {
    @Test
    void aDashboardPageReplacedByAFifoIsA404NotARequestWaitingForAWriter(@TempDir Path media, @TempDir Path frontend)
            throws Exception {
        Path page = Files.writeString(frontend.resolve("dashboard.html"), "<!doctype html>");
        try (Phase3Server s = Phase3Server.start("127.0.0.1", 0, media, Phase3Server.Settings.of(frontend))) {
            s.addRoute(DashboardRoute.PATH, new DashboardRoute(frontend));
            try {
                assertEquals(200, RawHttp.get(s.uri(), "/dashboard").status());
                Files.delete(page);
                Fifos.make(page);
                RawHttp.Response r = RawHttp.get(s.uri(), "/dashboard");
                assertEquals(404, r.status(), r.text());
                assertTrue(r.text().contains("dashboard.html") && r.text().contains("regular file"), r.text());
            } finally {
                Fifos.release(page);
                Files.deleteIfExists(page);
            }
        }
    }
}
