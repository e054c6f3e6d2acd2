// Notebook 1: buffers, Java's answer to Python's memoryview.
// Run it with ./lab notebook 1, or from the repository root after `mvn -pl phase1-fundamentals -am compile`:
//   jshell --class-path phase1-fundamentals/target/classes notebooks/01-buffers.jsh
// Every snippet prints what it shows; jshell stays open afterwards so you can keep poking.

import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import dev.streamlab.buffer.ChunkReader;
import dev.streamlab.buffer.ChunkStats;
import dev.streamlab.buffer.XorChecksum;

// --- 1. A slice is a view, a copy is new bytes -------------------------------------------------------------
// Python: memoryview(b)[2:6] is a view, b[2:6] a copy. Java: ByteBuffer.slice(index, length) vs copyOfRange.
byte[] bytes = {10, 20, 30, 40, 50, 60, 70, 80};
ByteBuffer whole = ByteBuffer.wrap(bytes);
ByteBuffer view = whole.slice(2, 4);             // bytes 2..5: a new position/limit over the same array
view.put(0, (byte) 99);                         // write through the view...
System.out.println("after writing 99 through the slice: " + Arrays.toString(bytes)); // ...the original changed
System.out.println("the slice shares the array: " + (view.array() == bytes) + ", starting at " + view.arrayOffset());

byte[] copy = Arrays.copyOfRange(bytes, 2, 6);  // new array, new bytes
copy[0] = 1;
System.out.println("after writing 1 to the copy:        " + Arrays.toString(bytes)); // unchanged

// --- 2. duplicate(): same bytes, its own position and limit ----------------------------------------------
// Two parsers can walk the same buffer without stepping on each other's position.
ByteBuffer first = whole.duplicate();
ByteBuffer second = whole.duplicate();
int firstInt = first.getInt();                  // a relative read moves first's position only
System.out.printf("read %08x; positions: whole=%d first=%d second=%d%n",
        firstInt, whole.position(), first.position(), second.position());

// --- 3. Heap, direct, mapped ------------------------------------------------------------------------------
// Heap: a Java byte[] the GC may move, so the kernel cannot write into it directly (the JDK copies).
// Direct: native memory at a fixed address; the kernel reads straight into it. No byte[] behind it.
// Mapped: the file's page-cache pages mapped into our address space; no read at all.
Path media = Path.of(System.getProperty("streamlab.media", "media"));
if (!Files.isDirectory(media) && Files.isDirectory(Path.of("../media"))) media = Path.of("../media");
Path sample = media.resolve("sample-30s-360p-h264-aac.mp4");
System.out.println("sample: " + sample + " (" + Files.size(sample) + " bytes)");

MappedByteBuffer mapped;
try (FileChannel channel = FileChannel.open(sample, StandardOpenOption.READ)) {
    mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size());
}                                               // closing the channel does not unmap
for (ByteBuffer b : List.of(ByteBuffer.allocate(4096), ByteBuffer.allocateDirect(4096), mapped)) {
    System.out.printf("%-30s isDirect=%-5s hasArray=%-5s isReadOnly=%s%n",
            b.getClass().getSimpleName(), b.isDirect(), b.hasArray(), b.isReadOnly());
}
// An MP4 starts with a box: a 4-byte big-endian size, then a 4-byte type. Read it in place, no copy:
System.out.printf("first box: size %d, type '%s%s%s%s'%n", mapped.getInt(0),
        (char) mapped.get(4), (char) mapped.get(5), (char) mapped.get(6), (char) mapped.get(7));
try {
    mapped.put(0, (byte) 0);
} catch (ReadOnlyBufferException e) {
    System.out.println("writing to a READ_ONLY mapping throws " + e.getClass().getSimpleName());
}

// --- 4. Reading the sample in 64 KiB chunks, four ways ----------------------------------------------------
// Same bytes, same checksum; what differs is how often each byte was copied on its way to us.
// naive: readAllBytes (1 copy) + copyOfRange per chunk (1 copy) = 2; reusedHeap: the JDK's copy from its
// temporary direct buffer = 1; direct: the kernel writes into our buffer = 0; mapped: no read at all = 0.
for (ChunkReader.Strategy strategy : ChunkReader.Strategy.values()) {
    XorChecksum checksum = new XorChecksum();
    ChunkStats stats = strategy.newReader(64 * 1024).read(sample, checksum);
    System.out.printf("%-11s checksum %016x  %s%n", strategy, checksum.value(), stats);
}

// --- 5. The price of reuse: a view is only valid while you are being called --------------------------------
// reusedHeap hands out slices of ONE array, refilled per chunk: keep a view and the next chunk overwrites it.
List<ByteBuffer> kept = new ArrayList<>();
ChunkReader.reusedHeap(64 * 1024).read(sample, kept::add);
System.out.println(kept.size() + " views kept from reusedHeap, backed by "
        + kept.stream().map(ByteBuffer::array).distinct().count() + " array: copy what you need to keep");
