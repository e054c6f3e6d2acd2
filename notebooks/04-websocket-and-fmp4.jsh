// Notebook 4 — a WebSocket frame by hand, and a fragmented MP4 made from a sample.
// Run: ./lab notebook 4

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import dev.streamlab.mp4.*;
import dev.streamlab.websocket.frame.*;
import dev.streamlab.stream.fmp4.*;

Path media = Path.of(System.getProperty("streamlab.media", "media"));
HexFormat hex = HexFormat.ofDelimiter(" ");

// 1. A WebSocket frame (RFC 6455 §5.2): FIN+opcode, MASK+length, 4-byte mask key, masked payload.
//    Clients MUST mask (so proxies cannot be tricked into caching attacker-chosen bytes); servers must not.
byte[] text = "hello".getBytes(StandardCharsets.UTF_8);
FrameHeader header = FrameHeader.client(true, WsOpcode.TEXT, 0x37fa213d, text.length);
ByteBuffer wire = FrameWriter.encode(header, ByteBuffer.wrap(text));
byte[] bytes = new byte[wire.remaining()];
wire.duplicate().get(bytes);
System.out.println("client frame: " + hex.formatHex(bytes));
System.out.printf("byte 0 = %02x: FIN=1, opcode=1 (text); byte 1 = %02x: MASK=1, length=%d%n",
        bytes[0] & 0xff, bytes[1] & 0xff, bytes[1] & 0x7f);

// 2. Masking is XOR with the key, byte i with key[i % 4]: do it by hand and get "hello" back.
byte[] key = {bytes[2], bytes[3], bytes[4], bytes[5]};
byte[] unmasked = new byte[text.length];
for (int i = 0; i < text.length; i++) unmasked[i] = (byte) (bytes[6 + i] ^ key[i % 4]);
System.out.println("unmasked by hand: " + new String(unmasked, StandardCharsets.UTF_8));

// 3. The reader parses it back — a state machine, so it also works fed one byte at a time.
FrameReader reader = new FrameReader(1 << 20);
Frame frame = null;
ByteBuffer in = ByteBuffer.wrap(bytes);
for (int i = 0; i < bytes.length && frame == null; i++) frame = reader.read(in.slice(i, 1));
System.out.println("parsed one byte at a time: " + frame);

// 4. Longer payloads use 16- or 64-bit lengths: 125 fits in 7 bits, 126 needs the 16-bit form.
for (int n : new int[] {125, 126, 65535, 65536})
    System.out.println("payload " + n + " -> header " + FrameWriter.headerLength(n, true) + " bytes (masked)");

// 5. A fragmented MP4 from the 30 s sample: an init segment per track, then one segment per GOP.
Fmp4Remuxer remux = Fmp4Remuxer.open(media.resolve("sample-30s-360p-h264-aac.mp4"));
Fmp4Track video = remux.video().orElseThrow();
System.out.println("video: " + video.mimeType() + ", " + video.segmentCount() + " segments (one per 2 s GOP)");

// 6. Its init segment is an MP4 of its own: parse it with phase 1's parser and print its boxes.
ByteBuffer init = ByteBuffer.allocate((int) video.init().length());
for (ByteBuffer b : video.init().buffers()) init.put(b.duplicate());
init.flip();
Mp4File initFile = Mp4File.parse(init);
System.out.print(dev.streamlab.probe.Probe.boxes(initFile));
System.out.println("samples in the init segment: " + initFile.movie().tracks().get(0).samples().count()
        + " (none: they come in the media segments, moof + mdat)");

// 7. A media segment is a gather list: a few small headers plus views of the mapped file, not copies.
Segment seg = video.segment(3);
System.out.printf("segment 3: %.1f-%.1f s, %d bytes in %d buffers, %d of them direct views of the file%n",
        seg.startSeconds(), seg.endSeconds(), seg.length(), seg.buffers().length,
        java.util.Arrays.stream(seg.buffers()).filter(ByteBuffer::isDirect).count());

// 8. Virtual threads are not preempted: one that never blocks keeps its carrier (one carrier per core by default).
//    Keep every carrier busy and a new virtual thread waits until one of them is done. That is how three WebSocket
//    clients flooding Pings froze phase 3 for everyone else (CarrierStarvationTest); phase 3's answer, WorkCap,
//    makes a connection that has done its share of a 10 ms window sleep out the rest of it. Sixty capped flooders
//    fill the carriers all the same, so the caps also share one WorkBudget: a rate for all peers together.
int carriers = Runtime.getRuntime().availableProcessors();
long lateStartMillis(boolean capped) throws InterruptedException {
    java.util.List<Thread> busy = new java.util.ArrayList<>();
    var running = new java.util.concurrent.CountDownLatch(carriers);
    for (int i = 0; i < carriers; i++) {
        busy.add(Thread.ofVirtual().start(() -> {
            running.countDown();
            var cap = new dev.streamlab.http1.WorkCap(10, java.time.Duration.ofMillis(10));
            long end = System.nanoTime() + 300_000_000L; // 0.3 s of work, in units of 0.1 ms
            while (System.nanoTime() < end) {
                long unit = System.nanoTime() + 100_000;
                while (System.nanoTime() < unit) Thread.onSpinWait();
                if (capped) cap.tick(); // 10 units (1 ms) per 10 ms, then sleep
            }
        }));
    }
    running.await(); // every one is on a carrier now
    long asked = System.nanoTime();
    long[] began = new long[1];
    Thread.ofVirtual().start(() -> began[0] = System.nanoTime()).join();
    for (Thread t : busy) t.join();
    return (began[0] - asked) / 1_000_000;
}
System.out.println("behind " + carriers + " busy virtual threads, a new one started after " + lateStartMillis(false)
        + " ms; behind " + carriers + " capped ones (WorkCap: 10 units per 10 ms) after " + lateStartMillis(true) + " ms");
