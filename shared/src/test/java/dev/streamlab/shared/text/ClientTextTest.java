package dev.streamlab.shared.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ClientTextTest {
    @Test
    void shortTextIsQuotedWhole() {
        assertEquals("sample-30s", ClientText.shorten("sample-30s"));
        assertEquals("x".repeat(100), ClientText.shorten("x".repeat(100)));
    }

    @Test
    void longTextIsCutAndMarked() {
        assertEquals("x".repeat(100) + "...", ClientText.shorten("x".repeat(5000)));
        assertEquals("abc...", ClientText.shorten("abcdef", 3));
        assertEquals("...", ClientText.shorten("a", 0));
    }

    @Test
    void aCutNeverSplitsASurrogatePair() {
        String s = "ab\uD83C\uDFA5cd"; // "ab🎥cd": the movie camera is two chars
        assertEquals("ab...", ClientText.shorten(s, 3));
        assertEquals("ab\uD83C\uDFA5...", ClientText.shorten(s, 4));
    }

    @Test
    void aNegativeLimitIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> ClientText.shorten("x", -1));
    }
}
