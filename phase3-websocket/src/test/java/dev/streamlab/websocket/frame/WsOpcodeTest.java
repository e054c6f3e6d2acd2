package dev.streamlab.websocket.frame;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WsOpcodeTest {

    @Test
    void definedOpcodesHaveTheirRfcValues() {
        assertEquals(0x0, WsOpcode.CONTINUATION.code());
        assertEquals(0x1, WsOpcode.TEXT.code());
        assertEquals(0x2, WsOpcode.BINARY.code());
        assertEquals(0x8, WsOpcode.CLOSE.code());
        assertEquals(0x9, WsOpcode.PING.code());
        assertEquals(0xA, WsOpcode.PONG.code());
    }

    @Test
    void lookupByCodeFindsEachDefinedOpcode() {
        for (WsOpcode op : WsOpcode.values()) {
            assertEquals(op, WsOpcode.ofCode(op.code()));
            assertTrue(WsOpcode.isDefined(op.code()));
        }
    }

    @Test
    void reservedCodesLookUpToNull() {
        for (int code : new int[]{3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF}) {
            assertNull(WsOpcode.ofCode(code), "code " + code);
            assertFalse(WsOpcode.isDefined(code));
        }
    }

    @Test
    void controlOpcodesAreThoseWithBitThreeSetIncludingReservedOnes() {
        assertFalse(WsOpcode.CONTINUATION.isControl());
        assertFalse(WsOpcode.TEXT.isControl());
        assertFalse(WsOpcode.BINARY.isControl());
        assertTrue(WsOpcode.CLOSE.isControl());
        assertTrue(WsOpcode.PING.isControl());
        assertTrue(WsOpcode.PONG.isControl());
        for (int code = 0; code < 16; code++) assertEquals(code >= 8, WsOpcode.isControl(code), "code " + code);
    }

    @Test
    void valuesOutsideFourBitsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> WsOpcode.ofCode(16));
        assertThrows(IllegalArgumentException.class, () -> WsOpcode.ofCode(-1));
        assertFalse(WsOpcode.isDefined(17));
    }
}
