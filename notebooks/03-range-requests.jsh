// Notebook 3 — HTTP Range requests, the way a browser seeks in a video.
// Run: ./lab notebook 3   (it starts a phase 2 server inside jshell on a free port; to use one you started with
// `./lab run phase2`, run jshell with -R-Dstreamlab.url=http://127.0.0.1:8080/ instead)

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import dev.streamlab.mp4.*;
import dev.streamlab.phase2.Phase2Server;

// The server's one-line access log would interleave with this notebook's output (./lab run phase2 shows it).
// Held in a variable: the JDK keeps loggers only weakly, and a level set on one that is then collected is lost
// (it was: every request printed two lines of the default format between the results).
java.util.logging.Logger accessLog = java.util.logging.Logger.getLogger("streamlab.access");
accessLog.setLevel(java.util.logging.Level.WARNING);

Path media = Path.of(System.getProperty("streamlab.media", "media"));
String url = System.getProperty("streamlab.url");
Phase2Server server = null;
if (url == null) {
    server = Phase2Server.start("127.0.0.1", 0, media, new Phase2Server.Settings("mapped", 30_000,
            Path.of(System.getProperty("streamlab.frontend", "frontend"))));
    url = server.uri().toString();
}
System.out.println("server: " + url);

HttpClient http = HttpClient.newHttpClient();
URI video = URI.create(url + "videos/sample-30s-360p-h264-aac");

// A GET with extra header lines, e.g. get("Range", "bytes=0-1").
HttpResponse<byte[]> get(String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(video);
    for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
}

void show(String what, HttpResponse<byte[]> r) {
    System.out.printf("%-34s -> %d  Content-Range: %-22s Content-Length: %-8s body: %d bytes%n", what,
            r.statusCode(), r.headers().firstValue("content-range").orElse("-"),
            r.headers().firstValue("content-length").orElse("-"), r.body().length);
}

// 1. No Range: 200 and the whole file. Accept-Ranges: bytes tells the browser it may ask for parts.
var whole = get();
show("no Range", whole);
System.out.println("Accept-Ranges: " + whole.headers().firstValue("accept-ranges").orElse("(none)")
        + ", ETag: " + whole.headers().firstValue("etag").orElse("(none)"));

// 2. Safari's first request: bytes=0-1, "do you do ranges, and how big is the file?" -> 206, 2 bytes, /LEN.
show("Range: bytes=0-1", get("Range", "bytes=0-1"));

// 3. The first 8 bytes are the first box header: size (4 bytes, big-endian) and type.
var head = get("Range", "bytes=0-7").body();
System.out.println("first box: size " + java.nio.ByteBuffer.wrap(head).getInt() + ", type '"
        + new String(head, 4, 4, StandardCharsets.US_ASCII) + "'");

// 4. Suffix ranges count from the end: where a moov-at-end file keeps its index.
show("Range: bytes=-1000", get("Range", "bytes=-1000"));

// 5. Past the end: 416, and Content-Range says how long the file really is.
show("Range: bytes=99999999-", get("Range", "bytes=99999999-"));

// 6. Malformed: ignored, as RFC 9110 allows -> 200 and the whole file. Never a 5xx.
show("Range: bytes=5-2 (malformed)", get("Range", "bytes=5-2"));

// 7. Several ranges: one 206 multipart/byteranges body, each part with its own headers.
var multi = get("Range", "bytes=0-15,1000-1015");
show("Range: bytes=0-15,1000-1015", multi);
System.out.println("Content-Type: " + multi.headers().firstValue("content-type").orElse(""));
System.out.println(new String(multi.body(), StandardCharsets.ISO_8859_1).replaceAll("[^\\x20-\\x7e\\r\\n]", "."));

// 8. Validators: the browser revalidates with the ETag; nothing changed -> 304 and no body.
String etag = whole.headers().firstValue("etag").orElseThrow();
show("If-None-Match: <etag>", get("If-None-Match", etag));
// If-Range: "send the range only if the file is still this version"; a stale tag gets the whole file.
show("Range + If-Range: <etag>", get("Range", "bytes=0-99", "If-Range", etag));
show("Range + If-Range: \"stale\"", get("Range", "bytes=0-99", "If-Range", "\"stale\""));

// 9. A seek, as a player does it: the keyframe at or before 20 s (phase 1's index), then a Range from its byte.
Track v = Mp4File.open(media.resolve("sample-30s-360p-h264-aac.mp4")).movie().first(TrackKind.VIDEO).orElseThrow();
Keyframe k = v.keyframes().atOrBefore(20.0);
System.out.println("seek to 20 s: keyframe at " + k.seconds() + " s, byte " + k.offset());
show("Range: bytes=" + k.offset() + "-", get("Range", "bytes=" + k.offset() + "-"));

// The server keeps running so you can try your own ranges; server.close() stops it.
