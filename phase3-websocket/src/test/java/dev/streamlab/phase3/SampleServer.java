package dev.streamlab.phase3;

import dev.streamlab.testing.ExternalTools;
import java.io.IOException;

/** The phase 3 server most tests run: the bundled samples and the shared player, default HTTP settings, a free port. */
public final class SampleServer {
    private SampleServer() {}

    /** Starts it on 127.0.0.1 (no WebSocket endpoint until the test installs one). */
    public static Phase3Server start() throws IOException {
        return Phase3Server.start("127.0.0.1", 0, ExternalTools.media(),
                Phase3Server.Settings.of(ExternalTools.root().resolve("frontend")));
    }
}
