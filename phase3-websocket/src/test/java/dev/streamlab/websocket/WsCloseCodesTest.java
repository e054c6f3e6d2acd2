package dev.streamlab.websocket;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WsCloseCodesTest {

    @Test
    void codesDefinedByRfc6455AndRegisteredWithIanaAreValid() {
        for (int code : new int[]{1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014}) {
            assertTrue(WsCloseCodes.isValid(code), "code " + code);
        }
    }

    @Test
    void applicationRangesAreValidAtBothEnds() {
        for (int code : new int[]{3000, 3999, 4000, 4999}) assertTrue(WsCloseCodes.isValid(code), "code " + code);
    }

    @Test
    void unusedReservedAndNeverOnTheWireCodesAreInvalid() {
        // Autobahn 7.9.x: 0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999; plus 1015 (TLS, never sent) and
        // 7.13.x's 5000 and 65535.
        for (int code : new int[]{-1, 0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535}) {
            assertFalse(WsCloseCodes.isValid(code), "code " + code);
        }
    }

    @Test
    void describeNamesTheCode() {
        assertEquals("1002 protocol error", WsCloseCodes.describe(1002));
        assertEquals("4001 private use", WsCloseCodes.describe(4001));
        assertEquals("2000 invalid", WsCloseCodes.describe(2000));
    }

    @Test
    void reasonsAreCutTo123BytesWithoutSplittingACodePoint() {
        assertEquals("short", WsCloseCodes.truncateReason("short"));
        String euro = "€".repeat(50); // 150 bytes of 3-byte code points
        String cut = WsCloseCodes.truncateReason(euro);
        assertEquals(41, cut.length());
        assertEquals(123, cut.getBytes(StandardCharsets.UTF_8).length);
        String emoji = "a" + "😀".repeat(40); // 1 + 160 bytes
        assertEquals(121, WsCloseCodes.truncateReason(emoji).getBytes(StandardCharsets.UTF_8).length);
    }
}
