package dev.streamlab.websocket;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.streamlab.websocket.frame.WsCloseException;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Coverage-guided fuzzing of the receiving side ({@link WsMessageAssembler}: frame reader + validator + UTF-8 +
 * assembly) with Jazzer. The contract, for any bytes a client may send:
 * <ul>
 *   <li>the only exception is {@link WsCloseException}, with 1002, 1007 or 1009 — anything else (an
 *       {@code IndexOutOfBoundsException}, an {@code OutOfMemoryError} from a claimed length) is a finding;</li>
 *   <li>the outcome (events, then the failure or not) is the same whether the bytes arrive at once, one at a time,
 *       or in 7-byte pieces;</li>
 *   <li>every text message it lets through is valid UTF-8 by the JDK's decoder, every Close it reports has a
 *       valid code.</li>
 * </ul>
 *
 * <p>Two modes, as in phase 1's {@code Mp4ParserFuzzTest}:
 * <ul>
 *   <li>{@code mvn test} (regression): runs the empty input and every file under
 *       {@code src/test/resources/dev/streamlab/websocket/WsInboundFuzzTestInputs/anyClientBytesDecodeOrFailWithACloseCode/}
 *       (Jazzer's convention {@code <package>/<TestClass>Inputs/<testMethod>/}): masked client frames — text, binary,
 *       fragments with a ping between, close with a reason, 16- and 64-bit lengths, invalid UTF-8, RSV bits.</li>
 *   <li>Fuzzing: {@code JAZZER_FUZZ=1 mvn -pl phase3-websocket -am test -Dtest=WsInboundFuzzTest
 *       -Dsurefire.failIfNoSpecifiedTests=false -Djmh.skip=true} for {@code maxDuration}. New coverage goes to
 *       {@code phase3-websocket/.cifuzz-corpus/} (not under version control); a crashing input is written into the
 *       seed directory above, so it replays in every later {@code mvn test} once fixed.</li>
 * </ul>
 */
class WsInboundFuzzTest {
    /** Small limits: claimed lengths hit 1009 instead of the heap, and a message can outgrow its limit within a fuzz input. */
    private static final WsLimits LIMITS = new WsLimits(1024, 2048);
    private static final Set<Integer> FAILURE_CODES = Set.of(1002, 1007, 1009);

    @FuzzTest(maxDuration = "2m")
    void anyClientBytesDecodeOrFailWithACloseCode(byte[] input) {
        Result whole = run(input, Math.max(1, input.length));
        Result bytewise = run(input, 1);
        Result pieces = run(input, 7);
        assertEquals(whole, bytewise, "one byte at a time");
        assertEquals(whole, pieces, "7-byte pieces");
        if (whole.failure() != null) {
            assertTrue(FAILURE_CODES.contains(whole.failure()), "close code " + whole.failure());
        }
    }

    /** Events as strings (type and payload hex), then the failure code or null. */
    record Result(List<String> events, Integer failure) {
    }

    static Result run(byte[] input, int piece) {
        WsMessageAssembler in = WsMessageAssembler.server(LIMITS);
        List<String> events = new ArrayList<>();
        try {
            for (int pos = 0; pos < input.length; pos += piece) {
                ByteBuffer src = ByteBuffer.wrap(input, pos, Math.min(piece, input.length - pos));
                WsEvent e;
                while ((e = in.next(src)) != null) events.add(describe(e));
                if (src.hasRemaining()) throw new AssertionError("next() returned null with bytes left");
            }
            return new Result(events, null);
        } catch (WsCloseException e) {
            return new Result(events, e.closeCode());
        }
    }

    private static String describe(WsEvent e) {
        return switch (e) {
            case WsEvent.Text t -> {
                byte[] b = bytes(t.payload());
                if (!Utf8ValidatorTest.jdkAccepts(b)) throw new AssertionError("invalid UTF-8 let through: " + HexFormat.of().formatHex(b));
                yield "TEXT " + HexFormat.of().formatHex(b);
            }
            case WsEvent.Binary b -> "BINARY " + HexFormat.of().formatHex(bytes(b.payload()));
            case WsEvent.Ping p -> {
                if (p.payload().remaining() > 125) throw new AssertionError("ping of " + p.payload().remaining());
                yield "PING " + HexFormat.of().formatHex(bytes(p.payload()));
            }
            case WsEvent.Pong p -> "PONG " + HexFormat.of().formatHex(bytes(p.payload()));
            case WsEvent.Close c -> {
                if (c.code() != WsCloseCodes.NO_STATUS_RECEIVED && !WsCloseCodes.isValid(c.code())) {
                    throw new AssertionError("invalid close code let through: " + c.code());
                }
                yield "CLOSE " + c.code() + " " + c.reason();
            }
        };
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }
}
