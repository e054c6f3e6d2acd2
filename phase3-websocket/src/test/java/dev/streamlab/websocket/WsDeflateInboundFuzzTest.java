package dev.streamlab.websocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.streamlab.websocket.deflate.DeflateEvents;
import dev.streamlab.websocket.deflate.MessageDeflater;
import dev.streamlab.websocket.deflate.PerMessageDeflate;
import dev.streamlab.websocket.frame.WsCloseException;
import dev.streamlab.websocket.frame.WsOpcode;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@link WsInboundFuzzTest}'s contract with permessage-deflate agreed: for any client bytes the only exception is a
 * {@link WsCloseException} with 1002, 1007 or 1009 (zlib's errors, a zip bomb, RSV1 in the wrong place included),
 * the outcome does not depend on how the bytes are split, text that gets through is valid UTF-8, and the Inflater
 * is ended whatever happened. {@link #mutatedCompressedFramesFailCleanly} runs in every {@code mvn test} (seeded
 * mutations of valid compressed messages); the {@code @FuzzTest} explores further with {@code JAZZER_FUZZ=1}.
 */
class WsDeflateInboundFuzzTest {
    private static final WsLimits LIMITS = new WsLimits(1024, 2048);
    private static final Set<Integer> FAILURE_CODES = Set.of(1002, 1007, 1009);

    @FuzzTest(maxDuration = "2m")
    void anyClientBytesInflateOrFailWithACloseCode(byte[] input) {
        check(input);
    }

    @Test
    void mutatedCompressedFramesFailCleanly() {
        SplittableRandom r = new SplittableRandom(7692);
        byte[] valid = validStream();
        int failures = 0;
        for (int round = 0; round < 400; round++) { // bounded: 400 mutants, each checked three ways
            byte[] m = valid.clone();
            int flips = 1 + r.nextInt(4);
            for (int i = 0; i < flips; i++) m[r.nextInt(m.length)] ^= (byte) (1 << r.nextInt(8));
            if (check(m).failure() != null) failures++;
        }
        assertTrue(failures > 0, "some mutants must fail, or the mutation reached nothing");
        assertEquals(null, check(valid).failure(), "the unmutated stream is valid");
    }

    /** Masked client frames: compressed text (fragmented), a ping, compressed binary, an uncompressed text. */
    static byte[] validStream() {
        MessageDeflater d = new MessageDeflater(6, false, DeflateEvents.NONE);
        try {
            byte[] text = bytes(d.compress(ByteBuffer.wrap("{\"type\":\"stats\",\"buffered_s\":4.2,\"t\":12.8} héllo".repeat(4)
                    .getBytes(StandardCharsets.UTF_8))));
            byte[] bin = bytes(d.compress(ByteBuffer.wrap(new byte[600])));
            int half = text.length / 2;
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(WsMessageAssemblerTest.frame(false, 4, WsOpcode.TEXT.code(), java.util.Arrays.copyOfRange(text, 0, half)));
            out.writeBytes(WsMessageAssemblerTest.frame(true, 0, WsOpcode.PING.code(), new byte[]{1, 2, 3}));
            out.writeBytes(WsMessageAssemblerTest.frame(true, 0, WsOpcode.CONTINUATION.code(), java.util.Arrays.copyOfRange(text, half, text.length)));
            out.writeBytes(WsMessageAssemblerTest.frame(true, 4, WsOpcode.BINARY.code(), bin));
            out.writeBytes(WsMessageAssemblerTest.frame(true, WsOpcode.TEXT.code(), "plain"));
            return out.toByteArray();
        } finally {
            d.end();
        }
    }

    record Result(List<String> events, Integer failure) {}

    static Result check(byte[] input) {
        Result whole = run(input, Math.max(1, input.length));
        assertEquals(whole, run(input, 1), "one byte at a time");
        assertEquals(whole, run(input, 7), "7-byte pieces");
        if (whole.failure() != null) assertTrue(FAILURE_CODES.contains(whole.failure()), "close code " + whole.failure());
        return whole;
    }

    static Result run(byte[] input, int piece) {
        AtomicInteger streams = new AtomicInteger();
        WsMessageAssembler in = WsMessageAssembler.server(LIMITS, PerMessageDeflate.Agreement.defaults(), new DeflateEvents() {
            @Override
            public void nativeStreams(int delta) {
                streams.addAndGet(delta);
            }
        });
        List<String> events = new ArrayList<>();
        try {
            for (int pos = 0; pos < input.length; pos += piece) {
                ByteBuffer src = ByteBuffer.wrap(input, pos, Math.min(piece, input.length - pos));
                for (WsEvent e; (e = in.next(src)) != null; ) events.add(describe(e));
                if (src.hasRemaining()) throw new AssertionError("next() returned null with bytes left");
            }
            return new Result(events, null);
        } catch (WsCloseException e) {
            return new Result(events, e.closeCode());
        } finally {
            in.end();
            assertEquals(0, streams.get(), "the Inflater is ended");
        }
    }

    private static String describe(WsEvent e) {
        return switch (e) {
            case WsEvent.Text t -> {
                byte[] b = bytes(t.payload());
                if (!Utf8ValidatorTest.jdkAccepts(b)) throw new AssertionError("invalid UTF-8 let through: " + HexFormat.of().formatHex(b));
                yield "TEXT " + t.compressed() + " " + HexFormat.of().formatHex(b);
            }
            case WsEvent.Binary b -> "BINARY " + b.compressed() + " " + HexFormat.of().formatHex(bytes(b.payload()));
            case WsEvent.Ping p -> "PING " + HexFormat.of().formatHex(bytes(p.payload()));
            case WsEvent.Pong p -> "PONG " + HexFormat.of().formatHex(bytes(p.payload()));
            case WsEvent.Close c -> "CLOSE " + c.code() + " " + c.reason();
        };
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }
}
