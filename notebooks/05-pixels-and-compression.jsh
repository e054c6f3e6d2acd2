// Notebook 5 — a raw frame: read it, grayscale it in place, then ask whether DEFLATE makes any of our bytes smaller.
// Run: ./lab notebook 5   (ffmpeg from the PATH decodes one frame of a sample; without it, or with
// -R-Dstreamlab.ffmpeg=none, the notebook writes a synthetic frame itself — the output says which)

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.zip.Deflater;
import dev.streamlab.y4m.*;
import dev.streamlab.pixels.*;
import dev.streamlab.stream.fmp4.*;
import dev.streamlab.shared.json.Json;

Path media = Path.of(System.getProperty("streamlab.media", "media"));
Path sample = media.resolve("sample-30s-360p-h264-aac.mp4");
HexFormat hex = HexFormat.ofDelimiter(" ");
Path dir = Files.createTempDirectory("streamlab-nb5");
Path y4m = dir.resolve("frame.y4m");
dir.toFile().deleteOnExit(); // both go when jshell exits (reverse order: the file, then its folder)
y4m.toFile().deleteOnExit();

// 1. One frame as a .y4m file (YUV4MPEG2: a text header line, then "FRAME\n" + Y, U, V planes per frame).
//    The project cannot decode H.264, so ffmpeg decodes one frame of the sample at 5 s (the server's proxies,
//    Y4mProxies, do the same for a whole video at 320 px wide). No ffmpeg: a frame is synthesized here instead.
String ffmpegProgram = System.getProperty("streamlab.ffmpeg", "ffmpeg");

// Whether ffmpeg ran and wrote the file; false when it is missing or failed (bounded: 60 s).
boolean decodeWithFfmpeg(String program, Path mp4, Path out) {
    if (program.equals("none")) return false;
    try {
        Process p = new ProcessBuilder(program, "-nostdin", "-v", "error", "-y", "-ss", "5", "-i", mp4.toString(),
                "-frames:v", "1", "-pix_fmt", "yuv420p", "-f", "yuv4mpegpipe", out.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return false;
        }
        return p.exitValue() == 0 && Files.size(out) > 0;
    } catch (IOException e) { // not installed: the program cannot even start
        return false;
    } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
    }
}

// A 640x360 frame written from Java: eight 75% colour bars (BT.601 Y, U, V of white, yellow, cyan, green, magenta,
// red, blue, black), with a little noise in Y as a camera sensor adds. Close to the samples' own pattern, not a photo.
void synthesize(Path out, int w, int h) throws IOException {
    int[][] bars = {{180, 128, 128}, {162, 44, 142}, {131, 156, 44}, {112, 72, 58}, {84, 184, 198}, {65, 100, 212},
            {35, 212, 114}, {16, 128, 128}};
    int cw = YuvImage.chroma(w), ch = YuvImage.chroma(h);
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(Y4mHeader.line(w, h, 30, 1).getBytes(StandardCharsets.US_ASCII));
    b.writeBytes("FRAME\n".getBytes(StandardCharsets.US_ASCII));
    Random rnd = new Random(5); // fixed seed: the same frame, the same ratios, every run
    for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) b.write(bars[x * 8 / w][0] + rnd.nextInt(4));
    for (int p = 1; p <= 2; p++) for (int y = 0; y < ch; y++) for (int x = 0; x < cw; x++) b.write(bars[x * 8 / cw][p]);
    Files.write(out, b.toByteArray());
}

boolean decoded = decodeWithFfmpeg(ffmpegProgram, sample, y4m);
if (!decoded) synthesize(y4m, 640, 360);
System.out.println("frame source: " + (decoded
        ? "decoded by ffmpeg from " + sample.getFileName() + " at 5 s"
        : "synthesized in Java (colour bars; ffmpeg " + (ffmpegProgram.equals("none") ? "not used"
                : "'" + ffmpegProgram + "' unavailable: install it for a frame of the sample") + ")"));

// 2. The header: only W, H and F are required; C defaults to 420jpeg. A frame is W*H luma bytes + 2 quarter-size
//    chroma planes (4:2:0), so 1.5 bytes per pixel.
Y4mReader reader = Y4mReader.open(y4m);
Y4mHeader h = reader.header();
System.out.printf("header: %dx%d, %d:%d fps, interlacing '%c', colorspace %s, header line %d bytes%n",
        h.width(), h.height(), h.fpsNum(), h.fpsDen(), h.interlacing(), h.colorspace(), h.length());
System.out.printf("frame: %,d bytes = Y %,d + U %,d + V %,d; %d frame(s) in %,d bytes of file%n", h.frameBytes(),
        h.width() * h.height(), YuvImage.chroma(h.width()) * YuvImage.chroma(h.height()),
        YuvImage.chroma(h.width()) * YuvImage.chroma(h.height()), reader.frameCount(), Files.size(y4m));

// 3. A plane is a view, not a copy: frame(0)'s Y, U, V are slice()s of the reader's read-only mapping. Write a byte
//    through a second, writable mapping of the same file and read it through the plane taken before: same memory
//    (the page cache's pages), so reading the frame copied nothing.
Frame frame = reader.frame(0);
ByteBuffer yPlane = frame.image().y();
System.out.println("Y plane: direct=" + yPlane.isDirect() + ", read-only=" + yPlane.isReadOnly() + ", " + yPlane.capacity()
        + " bytes starting at file byte " + frame.offset());
int before = yPlane.get(10) & 0xff;
try (FileChannel rwChannel = FileChannel.open(y4m, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
    MappedByteBuffer rw = rwChannel.map(FileChannel.MapMode.READ_WRITE, 0, rwChannel.size());
    rw.put((int) frame.offset() + 10, (byte) 42);
    System.out.println("wrote 42 at file byte " + (frame.offset() + 10) + " through another mapping; Y plane byte 10: "
            + before + " -> " + (yPlane.get(10) & 0xff));
    rw.put((int) frame.offset() + 10, (byte) before); // put the pixel back
}

// 4. Grayscale in place. The mapping is read-only (filters must not edit the file), so the frame is copied once
//    into a work buffer — 3 bulk copies — and the filter then writes over that buffer: U and V become 128 (no
//    colour), Y (the brightness) is untouched. The image it returns is the same object over the same buffers.
ByteBuffer work = ByteBuffer.allocateDirect(h.frameBytes());
YuvImage img = frame.image().copyInto(work);
// 8 bytes from the middle row of a plane (the corners of a picture are often black, where U and V are 128 already).
String middle8(ByteBuffer plane, int width, int height) {
    byte[] b = new byte[8];
    plane.get(height / 2 * width + width / 2, b);
    return hex.formatHex(b);
}
int cw = img.chromaWidth(), ch = img.chromaHeight();
System.out.println("before  Y: " + middle8(img.y(), h.width(), h.height()) + "   U: " + middle8(img.u(), cw, ch)
        + "   V: " + middle8(img.v(), cw, ch));
YuvImage gray = PixelOps.Variant.IN_PLACE.create().apply(Filter.GRAYSCALE, img);
System.out.println("after   Y: " + middle8(gray.y(), h.width(), h.height()) + "   U: " + middle8(gray.u(), cw, ch)
        + "   V: " + middle8(gray.v(), cw, ch));
System.out.println("same image returned: " + (gray == img) + "; the U plane is work[" + h.width() * h.height()
        + "...]: work byte there = " + (work.get(h.width() * h.height()) & 0xff));

// 5. What a frame costs the garbage collector. The naive variant reads every plane into a new array and computes
//    into another (two frames' worth per frame, at 30 fps per viewer); in place allocates nothing per frame.
//    HotSpot counts every byte a thread allocates (com.sun.management.ThreadMXBean); each variant runs once first
//    so class loading is not counted. (The third variant, VECTOR, needs a JVM started with --add-modules
//    jdk.incubator.vector; `./lab bench phase4-pixels` times all three.)
com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
long allocatedBy(PixelOps ops) {
    YuvImage fresh = frame.image().copyInto(work); // the copy allocates a few view objects: not measured
    long start = threads.getCurrentThreadAllocatedBytes();
    ops.apply(Filter.GRAYSCALE, fresh);
    return threads.getCurrentThreadAllocatedBytes() - start;
}
PixelOps naive = PixelOps.Variant.NAIVE.create(), inPlace = PixelOps.Variant.IN_PLACE.create();
allocatedBy(naive);
allocatedBy(inPlace);
long naiveBytes = allocatedBy(naive), inPlaceBytes = allocatedBy(inPlace);
System.out.printf(Locale.ROOT, "allocated for one grayscale frame: naive %,d bytes (%.2f frames), in place %,d bytes%n",
        naiveBytes, (double) naiveBytes / h.frameBytes(), inPlaceBytes);

// 6. Does DEFLATE pay? java.util.zip.Deflater at levels 1 (fast), 6 (the default) and 9 (smallest), raw DEFLATE
//    (nowrap) as the WebSocket's permessage-deflate sends it. Ratio = original bytes / compressed bytes.
//    The input may be a gather list: Deflater reads each view directly, nothing is concatenated first.
int deflatedSize(int level, ByteBuffer... parts) {
    Deflater d = new Deflater(level, true);
    try {
        ByteBuffer out = ByteBuffer.allocate(64 * 1024);
        int total = 0;
        for (ByteBuffer part : parts) {
            d.setInput(part.duplicate());
            while (!d.needsInput()) {
                total += d.deflate(out.clear());
            }
        }
        d.finish();
        while (!d.finished()) total += d.deflate(out.clear());
        return total;
    } finally {
        d.end(); // frees the native zlib state now, not at some later GC
    }
}
double ratioAt(int level, ByteBuffer... parts) {
    long n = 0;
    for (ByteBuffer p : parts) n += p.remaining();
    return (double) n / deflatedSize(level, parts);
}
double show(String what, ByteBuffer... parts) {
    long n = 0;
    for (ByteBuffer p : parts) n += p.remaining();
    double r1 = ratioAt(1, parts), r6 = ratioAt(6, parts), r9 = ratioAt(9, parts);
    System.out.printf(Locale.ROOT, "%-36s %,9d bytes  ratio L1 %.2fx  L6 %.2fx  L9 %.2fx%n", what, n, r1, r6, r9);
    return r6;
}

// The payloads: what Streamlab sends (a video media segment, JSON control messages) and what it would send if it
// shipped pixels (the raw frame, straight from the read-only mapping: a view again).
Fmp4Remuxer remux = Fmp4Remuxer.open(sample);
Fmp4Track video = remux.video().orElseThrow();
Segment seg = video.segment(1);
List<Object> tracks = new ArrayList<>();
for (Fmp4Track t : remux.tracks()) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("track", t.kind().id());
    m.put("codec", t.codec());
    m.put("mime", t.mimeType());
    m.put("segments", t.segmentCount());
    tracks.add(m);
}
Map<String, Object> metaMsg = new LinkedHashMap<>();
metaMsg.put("type", "meta");
metaMsg.put("video", "sample-30s-360p-h264-aac");
metaMsg.put("duration", remux.durationSeconds());
metaMsg.put("tracks", tracks);
String meta = Json.write(metaMsg);
Map<String, Object> statsMsg = new LinkedHashMap<>();
statsMsg.put("type", "stats");
statsMsg.put("buffered_s", 4.2);
statsMsg.put("t", 12.8);
String stats = Json.write(statsMsg);
System.out.println("meta message: " + meta);

double segmentRatio = show("fMP4 media segment 1 (video, 2 s)", seg.buffers());
double frameRatio = show("raw YUV frame", frame.image().y(), frame.image().u(), frame.image().v());
double grayRatio = show("the same frame, grayscaled", work.slice(0, h.frameBytes())); // in place's last run, section 5
double metaRatio = show("meta JSON message", ByteBuffer.wrap(meta.getBytes(StandardCharsets.UTF_8)));
double statsRatio = show("stats JSON message", ByteBuffer.wrap(stats.getBytes(StandardCharsets.UTF_8)));

// 7. Conclusions, one per payload (level 6). The bundled samples are ffmpeg's testsrc pattern (flat colour bars), so
//    their frames compress far better than camera footage would; the segment's ~1.0x holds for any H.264.
System.out.printf(Locale.ROOT, "segment %.2fx: H.264 already squeezed out what DEFLATE finds; compressing video only costs CPU.%n",
        segmentRatio);
System.out.printf(Locale.ROOT, "raw frame %.2fx: pixels are redundant, yet H.264 does far better: %d frames in %,d bytes, %.0fx.%n",
        frameRatio, seg.sampleCount(), seg.length(), (double) seg.sampleCount() * h.frameBytes() / seg.length());
System.out.printf(Locale.ROOT, "grayscale %.2fx (was %.2fx): constant U and V cost almost nothing; what is left to send is Y's detail.%n",
        grayRatio, frameRatio);
System.out.printf(Locale.ROOT, "meta JSON %.2fx: repeated keys and names compress, so text is where compression can pay.%n",
        metaRatio);
System.out.printf(Locale.ROOT, "stats JSON %.2fx: %d bytes is too little to find repeats in; tiny messages are not worth it.%n",
        statsRatio, stats.length());

reader.close();
// frame.y4m stays in the temp folder until jshell exits: System.out.println(y4m), then open it in ffplay or mpv.
