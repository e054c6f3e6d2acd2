package dev.streamlab.stream.ws;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * Coverage-guided fuzzing of {@link ControlMessage#parse}, which reads every text message a browser sends on
 * {@code /ws/stream}. Its contract is "never throws": any text becomes a command or an {@link ControlMessage.Invalid}
 * with one of the documented error codes and a short message. A command that comes out satisfies what the session
 * relies on (finite, non-negative seconds; counts within JavaScript's safe integers; a rung within 16 bits).
 *
 * <p>Regression mode ({@code mvn test}) replays
 * {@code src/test/resources/dev/streamlab/stream/ws/ControlMessageFuzzTestInputs/anyTextIsACommandOrInvalid/};
 * fuzzing: {@code JAZZER_FUZZ=1 mvn -pl phase3-websocket -am test -Dtest=ControlMessageFuzzTest
 * -Dsurefire.failIfNoSpecifiedTests=false -Djmh.skip=true}.
 */
class ControlMessageFuzzTest {
    private static final Set<String> CODES = Set.of("bad_json", "bad_message", "unknown_type");
    private static final double SAFE_INTEGER = 9_007_199_254_740_991d;

    @DictionaryEntries({"{\"type\":", "\"hello\"", "\"open\"", "\"play\"", "\"pause\"", "\"seek\"", "\"resync\"",
            "\"stats\"", "\"quality\"", "\"codecs\":", "\"video\":", "\"t\":", "\"buffered_s\":", "\"rx_bps\":",
            "\"dropped\":", "\"stalls\":", "\"rung\":", "\"auto\"", "1e400", "-0", "9007199254740992", "0.5"})
    @FuzzTest(maxDuration = "30s")
    void anyTextIsACommandOrInvalid(byte[] input) {
        ControlMessage m = ControlMessage.parse(new String(input, StandardCharsets.UTF_8));
        assertNotNull(m);
        switch (m) {
            case ControlMessage.Invalid i -> {
                assertTrue(CODES.contains(i.code()), i.code());
                assertTrue(i.message() != null && !i.message().isEmpty() && i.message().length() <= 200, i.message());
            }
            case ControlMessage.Hello h -> assertTrue(h.codecs().stream().allMatch(c -> c != null), "codecs");
            case ControlMessage.Open o -> assertFalse(o.video().isEmpty());
            case ControlMessage.Seek s -> assertTrue(seconds(s.seconds()), "seek " + s.seconds());
            case ControlMessage.Stats s -> {
                assertTrue(seconds(s.bufferedSeconds()), "buffered " + s.bufferedSeconds());
                assertTrue(Double.isNaN(s.currentTime()) || seconds(s.currentTime()), "t " + s.currentTime());
                assertTrue(Double.isNaN(s.rxBps()) || seconds(s.rxBps()), "rx " + s.rxBps());
                assertTrue(count(s.dropped()), "dropped " + s.dropped());
                assertTrue(count(s.stalls()), "stalls " + s.stalls());
            }
            case ControlMessage.Quality q -> assertTrue(q.rung() >= ControlMessage.Quality.AUTO && q.rung() <= 0xFFFF);
            case ControlMessage.Play p -> { }
            case ControlMessage.Pause p -> { }
            case ControlMessage.Resync r -> { }
        }
    }

    private static boolean seconds(double v) {
        return Double.isFinite(v) && v >= 0;
    }

    private static boolean count(long v) {
        return v == ControlMessage.Stats.NOT_SENT || (v >= 0 && v <= SAFE_INTEGER);
    }
}
