package dev.streamlab.websocket.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamlab.websocket.WsCloseCodes;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;

/** The {@code ?policy=...&queue=N&close=C} of {@code /ws/topic/{name}}, as data. */
class QueuePolicyTest {
    @ParameterizedTest
    @NullAndEmptySource
    void noQueryMeansDropOldestWith64Slots(String query) {
        assertEquals(QueuePolicy.dropOldest(64), QueuePolicy.parse(query));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            policy=drop-oldest                    | DROP_OLDEST           | 64   | 0
            queue=1                               | DROP_OLDEST           | 1    | 0
            policy=skip-to-marked&queue=16        | SKIP_TO_LATEST_MARKED | 16   | 0
            queue=4096&policy=skip-to-marked      | SKIP_TO_LATEST_MARKED | 4096 | 0
            policy=disconnect                     | DISCONNECT            | 64   | 1008
            policy=disconnect&queue=8&close=1013  | DISCONNECT            | 8    | 1013
            policy=disconnect&close=1008          | DISCONNECT            | 64   | 1008
            """)
    void validQueries(String query, Overflow overflow, int capacity, int close) {
        assertEquals(new QueuePolicy(overflow, capacity, close), QueuePolicy.parse(query));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            policy=fastest                       | unknown policy 'fastest'
            policy=                              | unknown policy ''
            queue=0                              | queue must be 1 to 4096 messages, not 0
            queue=4097                           | queue must be 1 to 4096 messages, not 4097
            queue=-1                             | queue must be a number, not '-1'
            queue=99999999999999999999           | queue must be a number
            queue                                | queue must be a number, not ''
            close=1013                           | close applies to policy=disconnect only
            policy=disconnect&close=1000         | close must be 1008 or 1013, not 1000
            queue=1&queue=2                      | parameter 'queue' given twice
            foo=1                                | unknown parameter 'foo' (policy, queue, close)
            policy=drop-oldest&                  | unknown parameter ''
            """)
    void badQueriesSayWhatIsWrong(String query, String reason) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> QueuePolicy.parse(query));
        assertTrue(e.getMessage().startsWith(reason), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource({"x", "policy", "queue"})
    void aReasonFitsInACloseFrameWhateverTheClientSent(String key) {
        String huge = key + "=" + "z".repeat(10_000);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> QueuePolicy.parse(huge));
        assertTrue(e.getMessage().getBytes(StandardCharsets.UTF_8).length <= WsCloseCodes.MAX_REASON_BYTES,
                e.getMessage());
    }
}
