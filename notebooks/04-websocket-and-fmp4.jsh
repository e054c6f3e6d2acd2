// Notebook 4 — a WebSocket frame by hand, a fragmented MP4 made from a sample, virtual threads on their carriers,
// and the zero-copy path: what transferTo saves, and the JDK detail it comes with.
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

// 9. Zero copies, measured rather than assumed. Send the 30 s sample over a loopback socket 1,000 times (about 690 MB),
//    three ways, and ask the JVM how much CPU the sending thread spent (ThreadMXBean): in all, and in user space.
//    - Through a heap ByteBuffer: read(2) copies each byte from the page cache into a direct buffer the JDK keeps,
//      the JDK copies it into the heap array, and on the way out back into a direct buffer for write(2), which copies
//      it into the socket buffer. Four copies, two of them by our own process (user time).
//    - Through a direct buffer: read(2) and write(2) only. Two copies, both by the kernel (kernel time).
//    - transferTo: sendfile(2), page cache to socket inside the kernel. No byte passes through our memory.
//    Phase 2 serves the first two ways, phase 3 the third (/metrics: streamlab_http_copies_per_byte 0).
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
Path sample = media.resolve("sample-30s-360p-h264-aac.mp4");
int sends = 1_000;
var cpuClock = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
interface Sender { void send(FileChannel file, SocketChannel socket) throws IOException; }
void copyThrough(ByteBuffer buffer, FileChannel file, SocketChannel socket) throws IOException {
    long pos = 0;
    int n;
    while ((n = file.read(buffer.clear(), pos)) > 0) {
        pos += n;
        buffer.flip();
        while (buffer.hasRemaining()) socket.write(buffer);
    }
}
ServerSocketChannel loopbackServer() throws IOException {
    return ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
}
String measure(String way, Sender sender) throws Exception {
    try (ServerSocketChannel server = loopbackServer(); FileChannel file = FileChannel.open(sample)) {
        // The receiving end counts what arrives, on a thread of its own (the other core).
        var received = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try (SocketChannel peer = server.accept()) {
                ByteBuffer sink = ByteBuffer.allocateDirect(1 << 16);
                long total = 0;
                for (int n; (n = peer.read(sink.clear())) >= 0; ) total += n;
                return total;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, r -> Thread.ofPlatform().start(r));
        try (SocketChannel socket = SocketChannel.open(server.getLocalAddress())) {
            long cpu0 = cpuClock.getCurrentThreadCpuTime(), user0 = cpuClock.getCurrentThreadUserTime();
            for (int i = 0; i < sends; i++) sender.send(file, socket);
            long cpu = cpuClock.getCurrentThreadCpuTime() - cpu0, user = cpuClock.getCurrentThreadUserTime() - user0;
            socket.shutdownOutput();
            long sent = sends * file.size();
            long got = received.get(60, TimeUnit.SECONDS);
            double mb = sent / 1e6;
            return String.format("%-22s %.3f ms of CPU per MB, %.3f of it in user space; received %,d bytes = sent: %b",
                    way, cpu / 1e6 / mb, user / 1e6 / mb, got, got == sent);
        }
    }
}
ByteBuffer heapBuffer = ByteBuffer.allocate(64 * 1024), directBuffer = ByteBuffer.allocateDirect(64 * 1024);
measure("warm-up", (file, socket) -> copyThrough(heapBuffer, file, socket)); // let the JIT compile the loops first
System.out.println(measure("heap buffer:", (file, socket) -> copyThrough(heapBuffer, file, socket)));
System.out.println(measure("direct buffer:", (file, socket) -> copyThrough(directBuffer, file, socket)));
System.out.println(measure("transferTo (sendfile):", (file, socket) -> {
    for (long pos = 0; pos < file.size(); ) pos += file.transferTo(pos, file.size() - pos, socket);
}));
System.out.println("(user time comes in clock ticks of about 10 ms, so its figures move from run to run)");
// What it showed here (2 cores, loopback, JDK 25; six runs): user time per MB 0.04-0.09 ms through the heap (the
// JDK's two copies), 0.01-0.07 through a direct buffer, 0-0.03 with transferTo: coarse, and never in another order. The
// totals are alike, 0.30-0.45 ms per MB for all three ways: the kernel's work (TCP over loopback, and the receiver's
// copy, which no sender avoids) is most of the cost, and sendfile has its own per-page bookkeeping. So zero-copy's
// gain is not "less CPU" on its own. It is that the bytes never enter the JVM: no heap traffic, no garbage, no buffer
// per connection, a copy count of 0 the server can show. Where CPU per request decides, phase 3's README (Benchmarks,
// part 1) measures a mapping with one writev beating sendfile for 64 KiB responses, for the same reason.

// 10. The JDK detail phase 3 had to handle (Http1Writer). Once a virtual thread does blocking I/O on a socket, the JDK
//     switches the socket to non-blocking mode underneath: read and write then park the thread when they cannot go on,
//     but transferTo returns 0 when the socket buffer is full instead of waiting. Nobody reads the other end of this
//     socket, so its buffers fill up.
String transferToAFullSocket() throws Exception {
    try (ServerSocketChannel server = loopbackServer(); FileChannel file = FileChannel.open(sample)) {
        long[] seen = new long[3]; // bytes accepted, calls, what the last call returned
        Thread sender = Thread.ofVirtual().start(() -> {
            // Connected on the virtual thread, as phase 3's connections are first read on theirs. A socket opened on a
            // platform thread and handed over untouched would still be in blocking mode, and sendfile would wait
            // while holding the carrier: what a platform thread does.
            try (SocketChannel socket = SocketChannel.open(server.getLocalAddress())) {
                long pos = 0, n;
                int calls = 0;
                do {
                    n = file.transferTo(pos % file.size(), 64 * 1024, socket);
                    pos += n;
                    calls++;
                } while (n > 0 && calls < 100_000);
                seen[0] = pos;
                seen[1] = calls;
                seen[2] = n;
            } catch (IOException e) {
                seen[2] = -1; // reset below, while waiting
            }
        });
        try (SocketChannel nobodyReads = server.accept()) {
            if (sender.join(java.time.Duration.ofSeconds(10))) {
                return String.format("a virtual thread's transferTo to a socket nobody reads: %,d bytes accepted in"
                        + " %,d calls, then it returned %d instead of waiting", seen[0], seen[1], seen[2]);
            }
        } // closed with unread bytes, the connection is reset: that ends a transferTo that waits
        sender.join(java.time.Duration.ofSeconds(10));
        return "transferTo waited for room on a virtual thread: this JDK no longer returns 0 (JDK 21-25 did)";
    }
}
System.out.println(transferToAFullSocket());
// Calling it again at once would spin a core until the reader drains the socket. Phase 3 writes one 16 KiB chunk
// with a blocking write instead, which parks the thread until there is room, then goes back to transferTo; and it
// counts how often that happens: streamlab_http_transferto_zero_returns_total in /metrics.
