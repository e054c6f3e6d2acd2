package dev.streamlab.websocket;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The streaming UTF-8 validator against an independent oracle: the JDK's UTF-8 decoder with
 * {@link CodingErrorAction#REPORT}, on fixed vectors and on seeded random byte strings. The base seed is printed
 * and in every failure message; rerun with {@code -Dstreamlab.seed=N}.
 */
class Utf8ValidatorTest {
    static final long SEED = Long.getLong("streamlab.seed", 20251106L);

    /** The oracle: does the JDK decode these bytes without a malformed or unmappable input? */
    static boolean jdkAccepts(byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            decoder.decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /**
     * Whether {@code prefix} can still be completed to valid UTF-8, by the oracle: it is valid itself, or becomes
     * valid with 1–3 more bytes. Only the first added byte has a range that depends on the lead byte (80–8F, 90–9F,
     * A0–BF), so trying the ends of those ranges, then 80s, covers every completion.
     */
    static boolean jdkCanComplete(byte[] prefix) {
        if (jdkAccepts(prefix)) return true;
        int[] firsts = {0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF};
        for (int more = 1; more <= 3; more++) {
            for (int first : firsts) {
                byte[] b = java.util.Arrays.copyOf(prefix, prefix.length + more);
                b[prefix.length] = (byte) first;
                for (int i = prefix.length + 1; i < b.length; i++) b[i] = (byte) 0x80;
                if (jdkAccepts(b)) return true;
            }
        }
        return false;
    }

    static boolean valid(String hex) {
        return Utf8Validator.isValid(HexFormat.of().parseHex(hex));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"", "00", "7f", "c280", "dfbf", "e0a080", "ed9fbf", "ee8080", "efbfbd", "efbfbe", "efbfbf",
            "f0908080", "f48fbfbf", "cebae1bdb9cf83cebcceb5", "68656c6c6f"})
    void wellFormedSequencesAreValid(String hex) {
        assertTrue(valid(hex), hex);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "80", "bf", "c0af", "c1bf", "e080af", "e09fbf", "f08080af", "f08fbfbf", // stray continuation, overlongs
            "eda080", "edbfbf", "eda080edb080",                                     // surrogates U+D800-DFFF
            "f4908080", "f7bfbfbf", "f888808080", "fc8480808080",                   // above U+10FFFF
            "fe", "ff", "c0", "e0", "e0a0", "f0", "f090", "f09080", "ce"})          // impossible or truncated
    void malformedSequencesAreInvalid(String hex) {
        assertFalse(valid(hex), hex);
    }

    @Test
    void truncatedSequenceIsIncompleteButNotFailed() {
        Utf8Validator v = new Utf8Validator();
        assertTrue(v.feed(new byte[]{(byte) 0xE2, (byte) 0x82}, 0, 2));
        assertFalse(v.isComplete());
        assertFalse(v.hasFailed());
        assertTrue(v.feed(new byte[]{(byte) 0xAC}, 0, 1)); // € completed in the next piece
        assertTrue(v.isComplete());
    }

    @Test
    void failsAtTheFirstImpossibleByteNotAtTheEnd() {
        // Autobahn 6.4.2: κόσμε then F4, then 90 makes it invalid (U+110000); "edited" never needs to arrive.
        byte[] b = HexFormat.of().parseHex("cebae1bdb9cf83cebcceb5f4908080656469746564");
        Utf8Validator v = new Utf8Validator();
        assertTrue(v.feed(b, 0, 12));
        assertFalse(v.feed(b, 12, 13));
        assertTrue(v.hasFailed());
        assertFalse(v.feed(b, 13, b.length), "stays failed until reset");
        v.reset();
        assertTrue(v.feed(b, 0, 11) && v.isComplete());
    }

    @Test
    void surrogateIsRejectedAtItsSecondByte() {
        Utf8Validator v = new Utf8Validator();
        assertTrue(v.feed(new byte[]{(byte) 0xED}, 0, 1));
        assertFalse(v.feed(new byte[]{(byte) 0xA0}, 0, 1), "ED A0 can only start a surrogate");
    }

    @Test
    void longAsciiRunsAndMultiByteTailsAreValidatedInDirectBuffers() {
        byte[] text = ("a".repeat(1001) + "κόσμε" + "b".repeat(17)).getBytes(StandardCharsets.UTF_8);
        ByteBuffer direct = ByteBuffer.allocateDirect(text.length + 3).position(3);
        direct.put(text).flip().position(3);
        assertTrue(Utf8Validator.isValid(direct));
        direct.put(3 + 1001 + 1, (byte) 0x41); // break the continuation byte of κ
        assertFalse(Utf8Validator.isValid(direct));
    }

    @Test
    void agreesWithTheJdkDecoderOnSeededRandomBytesWholeAndSplit() {
        System.out.println("Utf8ValidatorTest base seed " + SEED + " (rerun with -Dstreamlab.seed=" + SEED + ")");
        SplittableRandom r = new SplittableRandom(SEED);
        int valid = 0;
        for (int round = 0; round < 50_000; round++) {
            byte[] b = randomUtf8ish(r, r.nextInt(48), round % 2 == 0);
            String where = "seed " + SEED + ", round " + round + ": " + HexFormat.of().formatHex(b);
            boolean expected = jdkAccepts(b);
            if (expected) valid++;
            assertEquals(expected, Utf8Validator.isValid(b), where);
            // the same bytes in random pieces
            Utf8Validator v = new Utf8Validator();
            boolean ok = true;
            int pos = 0;
            while (pos < b.length && ok) {
                int n = 1 + r.nextInt(Math.min(9, b.length - pos));
                ok = v.feed(b, pos, pos + n);
                pos += n;
            }
            assertEquals(expected, ok && v.isComplete(), "split: " + where);
        }
        assertTrue(valid > 10_000 && valid < 40_000, "the generator mixes valid and invalid strings: " + valid);
    }

    @Test
    void failsExactlyWhenThePrefixCanNoLongerBeCompletedOnSeededRandomBytes() {
        SplittableRandom r = new SplittableRandom(SEED ^ 0x5DEECE66DL);
        for (int round = 0; round < 5_000; round++) {
            byte[] b = randomUtf8ish(r, 1 + r.nextInt(24), round % 4 == 0);
            String where = "seed " + SEED + ", round " + round + ": " + HexFormat.of().formatHex(b);
            Utf8Validator v = new Utf8Validator();
            for (int k = 1; k <= b.length; k++) {
                boolean stillOk = v.feed(b, k - 1, k);
                boolean oracle = jdkCanComplete(java.util.Arrays.copyOf(b, k));
                assertEquals(oracle, stillOk, "after byte " + k + " of " + where);
                if (!stillOk) break;
            }
        }
    }

    /**
     * Bytes that are often almost UTF-8: encoded code points, stray and boundary bytes, cut sequences. With
     * {@code clean}, well-formed code points only, then (half the time) one byte replaced by a boundary byte.
     */
    static byte[] randomUtf8ish(SplittableRandom r, int length, boolean clean) {
        if (clean) {
            StringBuilder s = new StringBuilder();
            while (s.length() < length) {
                int cp = r.nextInt(4) == 0 ? r.nextInt(0x80) : r.nextInt(0x110000);
                if (cp < 0xD800 || cp > 0xDFFF) s.appendCodePoint(cp);
            }
            byte[] b = s.toString().getBytes(StandardCharsets.UTF_8);
            if (b.length > 0 && r.nextBoolean()) {
                int[] boundary = {0x80, 0xBF, 0xC0, 0xC2, 0xE0, 0xED, 0xF0, 0xF4, 0xF5, 0xFF};
                b[r.nextInt(b.length)] = (byte) boundary[r.nextInt(boundary.length)];
            }
            return b;
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        int[] interesting = {0x00, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xEC,
                0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xF7, 0xF8, 0xFB, 0xFC, 0xFD, 0xFE, 0xFF};
        while (out.size() < length) {
            switch (r.nextInt(6)) {
                case 0 -> out.write(r.nextInt(0x80));
                case 1 -> out.write(interesting[r.nextInt(interesting.length)]);
                case 2 -> out.write(r.nextInt(256));
                default -> {
                    int cp = switch (r.nextInt(4)) {
                        case 0 -> r.nextInt(0x800);
                        case 1 -> r.nextInt(0x10000);
                        case 2 -> 0xD000 + r.nextInt(0x2000);   // around the surrogates
                        default -> r.nextInt(0x110000);
                    };
                    if (cp >= 0xD800 && cp <= 0xDFFF) {
                        // what a careless encoder writes for a surrogate: ED A0..BF xx
                        out.write(0xED);
                        out.write(0x80 | ((cp >> 6) & 0x3F));
                        out.write(0x80 | (cp & 0x3F));
                    } else {
                        byte[] enc = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
                        int keep = r.nextInt(8) == 0 ? r.nextInt(enc.length + 1) : enc.length; // sometimes cut short
                        out.write(enc, 0, keep);
                    }
                }
            }
        }
        return java.util.Arrays.copyOf(out.toByteArray(), length);
    }

    @Test
    void theOracleRejectsSurrogatesAndOverlongsToo() {
        // If the JDK ever accepted these, the random comparison above would be meaningless.
        assertFalse(jdkAccepts(HexFormat.of().parseHex("eda080")));
        assertFalse(jdkAccepts(HexFormat.of().parseHex("c0af")));
        assertFalse(jdkAccepts(HexFormat.of().parseHex("f4908080")));
        assertTrue(jdkAccepts(HexFormat.of().parseHex("efbfbf")));
    }
}
