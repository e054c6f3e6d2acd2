package dev.streamlab.phase2;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A deliberately dumb HTTP/1.1 client over a plain socket: it sends exactly the bytes a test writes (malformed
 * paths, odd headers, which {@code java.net.http} would refuse or normalize) and reads the response as is.
 * Public, in phase 2's test-jar, so that phase 3 runs the same conformance checks against its own server.
 */
public final class RawHttp {
    public record Response(int status, Map<String, String> headers, byte[] body) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private RawHttp() {}

    public static Response get(URI server, String target, String... headerLines) throws IOException {
        return send(server, "GET", target, headerLines);
    }

    /**
     * The server's 404 answers so far, every route: the sum of {@code streamlab_http_requests_total{…,status="404"}}
     * in its {@code /metrics} (phases 2–4 count the same way). Unchecked, for use in a wait's condition.
     */
    public static long notFoundCount(URI server) {
        String scrape;
        try {
            scrape = get(server, "/metrics").text();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long n = 0;
        for (String line : scrape.split("\n")) {
            if (line.startsWith("streamlab_http_requests_total{") && line.contains("status=\"404\"")) {
                n += Math.round(Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
            }
        }
        return n;
    }

    public static Response send(URI server, String method, String target, String... headerLines) throws IOException {
        StringBuilder req = new StringBuilder(method + " " + target + " HTTP/1.1\r\nHost: " + server.getHost()
                + ":" + server.getPort() + "\r\nConnection: close\r\n");
        for (String h : headerLines) req.append(h).append("\r\n");
        req.append("\r\n");
        return exchange(server, req.toString().getBytes(StandardCharsets.ISO_8859_1), method.equals("HEAD"));
    }

    public static Response exchange(URI server, byte[] request, boolean head) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(server.getHost(), server.getPort()), 5000);
            s.setSoTimeout(10_000);
            s.getOutputStream().write(request);
            InputStream in = s.getInputStream();
            String statusLine = line(in);
            if (statusLine == null) throw new EOFException("connection closed without a response");
            int status = Integer.parseInt(statusLine.split(" ")[1]);
            Map<String, String> headers = new TreeMap<>();
            for (String l; (l = line(in)) != null && !l.isEmpty(); ) {
                int colon = l.indexOf(':');
                headers.merge(l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 1).trim(),
                        (a, b) -> a + ", " + b);
            }
            byte[] body;
            String len = headers.get("content-length");
            if (head || status == 304 || status == 204) {
                body = new byte[0];
            } else if (len != null) {
                body = in.readNBytes(Integer.parseInt(len));
            } else {
                body = in.readAllBytes();
            }
            return new Response(status, headers, body);
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int c; (c = in.read()) != -1; ) {
            if (c == '\n') {
                byte[] a = b.toByteArray();
                int n = a.length > 0 && a[a.length - 1] == '\r' ? a.length - 1 : a.length;
                return new String(a, 0, n, StandardCharsets.ISO_8859_1);
            }
            b.write(c);
        }
        return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
    }
}
