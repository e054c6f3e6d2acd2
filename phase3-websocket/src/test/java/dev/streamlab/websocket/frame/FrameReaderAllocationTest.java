package dev.streamlab.websocket.frame;

import dev.streamlab.websocket.WsEvent;
import dev.streamlab.websocket.WsLimits;
import dev.streamlab.websocket.WsMessageAssembler;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How much the reader allocates, measured with {@link com.sun.management.ThreadMXBean#getCurrentThreadAllocatedBytes()}
 * (bytes this thread allocated so far; exact enough over many frames). The claims in {@link FrameReader}'s javadoc:
 * a reused payload buffer costs a small constant per frame (the header record, the frame record, a slice), and a
 * per-frame buffer costs the payload plus that constant — nothing proportional to how the bytes were split.
 *
 * <p>The numbers are printed to {@code target/surefire-reports/*-output.txt}; the assertions allow a wide margin, so
 * a JIT that does not eliminate the small records still passes.
 */
class FrameReaderAllocationTest {
    private static final int FRAMES = 20_000;
    private static final int PAYLOAD = 1000;
    private static final long PER_FRAME_BUDGET = 256; // bytes: header + frame + slice are ~100 on 64-bit HotSpot

    private static final com.sun.management.ThreadMXBean MX =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** FRAMES masked frames of PAYLOAD bytes each, in one buffer, built before any measurement. */
    private static ByteBuffer stream(int frames, WsOpcode opcode) {
        SplittableRandom r = new SplittableRandom(42);
        FrameWriter client = FrameWriter.client(r::nextInt);
        byte[] payload = new byte[PAYLOAD];
        java.util.Arrays.fill(payload, (byte) 'a');
        ByteBuffer all = ByteBuffer.allocate(frames * (PAYLOAD + 8));
        for (int i = 0; i < frames; i++) {
            for (ByteBuffer b : client.frame(true, opcode, ByteBuffer.wrap(payload))) all.put(b);
        }
        return all.flip();
    }

    private static long readAll(FrameReader reader, ByteBuffer wire, int chunk) throws WsCloseException {
        ByteBuffer src = wire.duplicate();
        long frames = 0;
        int limit = src.limit();
        while (src.position() < limit) {
            src.limit(Math.min(limit, src.position() + chunk));
            while (reader.read(src) != null) frames++;
        }
        return frames;
    }

    @Test
    void readingIntoAReusedBufferAllocatesOnlyASmallConstantPerFrame() throws WsCloseException {
        ByteBuffer wire = stream(FRAMES, WsOpcode.BINARY);
        ByteBuffer reused = ByteBuffer.allocate(PAYLOAD);
        FrameSink sink = new FrameSink() {
            @Override
            public ByteBuffer payloadBuffer(FrameHeader header) {
                return reused.clear();
            }
        };
        readAll(new FrameReader(PAYLOAD, sink), wire, 4096); // warm up
        for (int chunk : new int[]{65536, 1500, 7}) {
            FrameReader reader = new FrameReader(PAYLOAD, sink);
            long before = MX.getCurrentThreadAllocatedBytes();
            long frames = readAll(reader, wire, chunk);
            long perFrame = (MX.getCurrentThreadAllocatedBytes() - before) / frames;
            System.out.println("FrameReader, reused payload buffer, " + chunk + "-byte reads: " + perFrame + " bytes allocated per " + PAYLOAD + "-byte frame");
            assertEquals(FRAMES, frames);
            assertTrue(perFrame < PER_FRAME_BUDGET, perFrame + " bytes per frame with " + chunk + "-byte reads");
        }
    }

    @Test
    void readingWithAFreshBufferPerFrameAllocatesThePayloadPlusASmallConstant() throws WsCloseException {
        ByteBuffer wire = stream(FRAMES, WsOpcode.BINARY);
        readAll(new FrameReader(PAYLOAD), wire, 4096); // warm up
        FrameReader reader = new FrameReader(PAYLOAD);
        long before = MX.getCurrentThreadAllocatedBytes();
        long frames = readAll(reader, wire, 1500);
        long allocated = MX.getCurrentThreadAllocatedBytes() - before;
        long overheadPerFrame = (allocated - frames * PAYLOAD) / frames;
        System.out.println("FrameReader, FrameSink.ALLOCATE: " + allocated / frames + " bytes allocated per " + PAYLOAD
                + "-byte frame (payload + " + overheadPerFrame + ")");
        assertTrue(allocated >= frames * PAYLOAD, "every payload is allocated: " + allocated);
        assertTrue(overheadPerFrame < PER_FRAME_BUDGET, overheadPerFrame + " bytes per frame beyond the payload");
    }

    @Test
    void theMessageAssemblerReusesItsBufferForSmallMessages() throws WsCloseException {
        ByteBuffer wire = stream(FRAMES, WsOpcode.TEXT);
        WsMessageAssembler warm = WsMessageAssembler.server(WsLimits.DEFAULT);
        drain(warm, wire.duplicate());
        WsMessageAssembler in = WsMessageAssembler.server(WsLimits.DEFAULT);
        long before = MX.getCurrentThreadAllocatedBytes();
        long messages = drain(in, wire.duplicate());
        long perMessage = (MX.getCurrentThreadAllocatedBytes() - before) / messages;
        System.out.println("WsMessageAssembler, " + PAYLOAD + "-byte text messages: " + perMessage + " bytes allocated per message");
        assertEquals(FRAMES, messages);
        assertTrue(perMessage < PER_FRAME_BUDGET + 64, perMessage + " bytes per message");
    }

    private static long drain(WsMessageAssembler in, ByteBuffer src) throws WsCloseException {
        long n = 0;
        WsEvent e;
        while ((e = in.next(src)) != null) {
            if (e instanceof WsEvent.Text) n++;
        }
        return n;
    }
}
