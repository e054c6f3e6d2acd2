package dev.streamlab.mjpeg;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/** One parameter of a raw query string ({@code filter=blur&frames=10}), decoded; null when absent. */
final class Query {
    private Query() {}

    /**
     * @throws IllegalArgumentException when {@code name} is given twice: {@code ?filter=blur&filter=grayscale} has no
     *                                  one meaning (the first won, silently), so the client is told, as the hub's
     *                                  {@code QueuePolicy} tells its clients
     */
    static String param(String query, String name) {
        if (query == null) return null;
        String value = null;
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            if (!k.equals(name)) continue;
            if (value != null) throw new IllegalArgumentException("parameter '" + name + "' given twice");
            try {
                value = URLDecoder.decode(eq < 0 ? "" : pair.substring(eq + 1), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                value = pair.substring(eq + 1); // a bad %-escape: keep it raw, the caller's check rejects it
            }
        }
        return value;
    }
}
