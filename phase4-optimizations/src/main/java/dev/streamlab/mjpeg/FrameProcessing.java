package dev.streamlab.mjpeg;

import dev.streamlab.phase3.Phase3Server;
import dev.streamlab.thumbs.ThumbnailRoute;
import dev.streamlab.websocket.server.WsEndpoints;
import dev.streamlab.y4m.Y4mProxies;

/** Phase 4's frame-processing feature on phase 3's server: the processed-live view's streams and the thumbnails. */
public final class FrameProcessing {
    private FrameProcessing() {}

    /** {@code /mjpeg/{id}}, {@code /ws/processed/{id}} and {@code /thumbs/{id}/...}, sharing one proxy cache. */
    public static void install(Phase3Server server, WsEndpoints ws) {
        install(server, ws, Y4mProxies.defaults());
    }

    public static void install(Phase3Server server, WsEndpoints ws, Y4mProxies proxies) {
        ProcessedVideos.install(server, ws, proxies);
        ThumbnailRoute.install(server, proxies);
    }
}
