package dev.streamlab.stream;

import static org.junit.jupiter.api.Assertions.fail;

import dev.streamlab.browser.Browser;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.openqa.selenium.TimeoutException;

/** The player's {@code window.streamlab.stats()} as the stream browser tests read it. */
public final class PlayerStats {
    private PlayerStats() {}

    /** The page's stats object now. */
    public static Map<String, Object> of(Browser browser) {
        @SuppressWarnings("unchecked")
        Map<String, Object> s = (Map<String, Object>) browser.script("return window.streamlab.stats()");
        return s;
    }

    /**
     * Polls the stats until {@code condition} holds; fails at once on a media or page error, and on a timeout names
     * the last stats seen (what the player was doing instead).
     */
    public static Map<String, Object> await(Browser browser, String what, Duration timeout,
            Predicate<Map<String, Object>> condition) {
        AtomicReference<Map<String, Object>> last = new AtomicReference<>();
        try {
            return browser.await(what, timeout, d -> {
                Map<String, Object> s = of(browser);
                last.set(s);
                if (s.get("media_error") != null) fail("media error: " + s);
                if (s.get("error") != null) fail("page error: " + s);
                return condition.test(s) ? s : null;
            });
        } catch (AssertionError e) {
            if (!(e.getCause() instanceof TimeoutException) || last.get() == null) throw e; // not a timeout
            throw new AssertionError(e.getMessage() + "\nlast stats: " + last.get(), e);
        }
    }

    /** A numeric field, or an assertion error naming it when it is missing or not a number. */
    public static double num(Map<String, Object> s, String key) {
        Object v = s.get(key);
        if (!(v instanceof Number n)) throw new AssertionError(key + " is not a number in " + s);
        return n.doubleValue();
    }
}
