package dev.streamlab.websocket;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A streaming UTF-8 validator (RFC 3629 §4, Unicode Table 3-7 "Well-Formed UTF-8 Byte Sequences"): feed it bytes in
 * pieces of any size, split anywhere, and it says "invalid" at the first byte that cannot be part of well-formed
 * UTF-8 — not at the end of the message. RFC 6455 §8.1: "When an endpoint is to interpret a byte stream as UTF-8 but
 * finds that the byte stream is not, in fact, a valid UTF-8 stream, that endpoint MUST _Fail the WebSocket
 * Connection_"; Autobahn cases 6.4.1–6.4.4 check that this happens as soon as the bad byte arrives.
 *
 * <table>
 *   <caption>The state machine: a lead byte sets how many continuation bytes follow and the range of the next one</caption>
 *   <tr><th>lead byte</th><th>code points</th><th>next byte</th><th>then</th></tr>
 *   <tr><td>00–7F</td><td>U+0000–U+007F</td><td>—</td><td></td></tr>
 *   <tr><td>C2–DF</td><td>U+0080–U+07FF</td><td>80–BF</td><td></td></tr>
 *   <tr><td>E0</td><td>U+0800–U+0FFF</td><td><b>A0</b>–BF (no overlongs)</td><td>80–BF</td></tr>
 *   <tr><td>E1–EC, EE–EF</td><td>U+1000–U+FFFF</td><td>80–BF</td><td>80–BF</td></tr>
 *   <tr><td>ED</td><td>U+D000–U+D7FF</td><td>80–<b>9F</b> (no surrogates U+D800–DFFF)</td><td>80–BF</td></tr>
 *   <tr><td>F0</td><td>U+10000–U+3FFFF</td><td><b>90</b>–BF (no overlongs)</td><td>80–BF ×2</td></tr>
 *   <tr><td>F1–F3</td><td>U+40000–U+FFFFF</td><td>80–BF</td><td>80–BF ×2</td></tr>
 *   <tr><td>F4</td><td>U+100000–U+10FFFF</td><td>80–<b>8F</b> (nothing above U+10FFFF)</td><td>80–BF ×2</td></tr>
 *   <tr><td>80–C1, F5–FF</td><td colspan="3">never a lead byte: a stray continuation, an overlong 2-byte form, or
 *       beyond U+10FFFF → invalid</td></tr>
 * </table>
 *
 * <p>ASCII runs are skipped eight bytes per step (no byte of a {@code long} has its high bit set). Noncharacters
 * (U+FFFE, U+nFFFF) are valid UTF-8 and accepted, as Autobahn 6.22 expects. The state is three {@code int}s; there
 * is no allocation.
 */
public final class Utf8Validator {
    private static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final long HIGH_BITS = 0x8080_8080_8080_8080L;

    private int needed;       // continuation bytes still to come for the current code point
    private int lo = 0x80;    // allowed range of the next continuation byte
    private int hi = 0xBF;
    private boolean failed;

    /**
     * Validates bytes {@code [from, to)} of {@code buffer} (absolute indices; position and limit untouched) as the
     * continuation of everything fed since the last {@link #reset()}.
     *
     * @return false as soon as the bytes so far cannot be a prefix of valid UTF-8 (and from then on, until reset)
     */
    public boolean feed(ByteBuffer buffer, int from, int to) {
        if (failed) return false;
        int needed = this.needed, lo = this.lo, hi = this.hi;
        int i = from;
        while (i < to) {
            if (needed == 0) {
                while (i + Long.BYTES <= to && ((long) LONG.get(buffer, i) & HIGH_BITS) == 0) {
                    i += Long.BYTES; // eight ASCII bytes
                }
                if (i >= to) break;
                int b = buffer.get(i++) & 0xFF;
                if (b < 0x80) continue;
                if (b < 0xC2) {                 // 80–BF: continuation without a lead; C0, C1: overlong 2-byte form
                    return fail();
                } else if (b < 0xE0) {
                    needed = 1;
                    lo = 0x80;
                    hi = 0xBF;
                } else if (b < 0xF0) {
                    needed = 2;
                    lo = b == 0xE0 ? 0xA0 : 0x80; // E0 80..9F would be an overlong 3-byte form
                    hi = b == 0xED ? 0x9F : 0xBF; // ED A0..BF would encode a surrogate U+D800–U+DFFF
                } else if (b < 0xF5) {
                    needed = 3;
                    lo = b == 0xF0 ? 0x90 : 0x80; // F0 80..8F would be an overlong 4-byte form
                    hi = b == 0xF4 ? 0x8F : 0xBF; // F4 90..BF would be above U+10FFFF
                } else {                        // F5–FF: beyond U+10FFFF or not UTF-8 at all
                    return fail();
                }
            } else {
                int b = buffer.get(i++) & 0xFF;
                if (b < lo || b > hi) return fail();
                needed--;
                lo = 0x80;
                hi = 0xBF;
            }
        }
        this.needed = needed;
        this.lo = lo;
        this.hi = hi;
        return true;
    }

    /** {@link #feed(ByteBuffer, int, int)} for {@code bytes[from..to)}. */
    public boolean feed(byte[] bytes, int from, int to) {
        return feed(ByteBuffer.wrap(bytes), from, to);
    }

    /**
     * Whether everything fed so far is valid UTF-8 and ends on a code point boundary — the check at the end of a
     * message, where a sequence cut short (e.g. a lone {@code CE}) is invalid even though no byte was wrong.
     */
    public boolean isComplete() {
        return !failed && needed == 0;
    }

    /** Whether an invalid byte was seen since the last reset. */
    public boolean hasFailed() {
        return failed;
    }

    /** Forgets everything fed; ready for the next message. */
    public void reset() {
        needed = 0;
        lo = 0x80;
        hi = 0xBF;
        failed = false;
    }

    /** Whether {@code buffer}'s bytes from position to limit are complete, valid UTF-8. */
    public static boolean isValid(ByteBuffer buffer) {
        Utf8Validator v = new Utf8Validator();
        return v.feed(buffer, buffer.position(), buffer.limit()) && v.isComplete();
    }

    /** Whether {@code bytes} are complete, valid UTF-8. */
    public static boolean isValid(byte[] bytes) {
        return isValid(ByteBuffer.wrap(bytes));
    }

    private boolean fail() {
        failed = true;
        return false;
    }
}
