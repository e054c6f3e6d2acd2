package dev.streamlab.http1;

import dev.streamlab.phase2.RawHttp;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * One raw client connection that stays open: write any bytes, read responses one at a time (for keep-alive and
 * pipelining; phase 2's {@link RawHttp} reads one response per connection), and tell whether the server closed.
 * Public for the benchmark's {@code FloorServerTest}.
 */
public final class Wire implements AutoCloseable {
    final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    public Wire(InetSocketAddress server) throws IOException {
        this(server, 0);
    }

    /**
     * @param receiveBuffer {@code SO_RCVBUF} in bytes, set before connecting so that TCP's window follows it (a
     *                      small one makes a server's socket buffer fill while this side does not read); 0: default
     */
    public Wire(InetSocketAddress server, int receiveBuffer) throws IOException {
        socket = new Socket();
        if (receiveBuffer > 0) socket.setReceiveBufferSize(receiveBuffer);
        socket.connect(server, 5000);
        socket.setSoTimeout(10_000);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    public Wire send(String raw) throws IOException {
        return send(raw.getBytes(StandardCharsets.ISO_8859_1));
    }

    Wire send(byte[] raw) throws IOException {
        out.write(raw);
        out.flush();
        return this;
    }

    /** Reads one response; the body by Content-Length, none for HEAD, 1xx, 204 and 304. */
    RawHttp.Response read(boolean head) throws IOException {
        String statusLine = line();
        if (statusLine == null) throw new java.io.EOFException("connection closed before a response");
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        Map<String, String> headers = new TreeMap<>();
        for (String l; (l = line()) != null && !l.isEmpty(); ) {
            int colon = l.indexOf(':');
            headers.merge(l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 1).trim(),
                    (a, b) -> a + ", " + b);
        }
        String len = headers.get("content-length");
        byte[] body = head || status < 200 || status == 204 || status == 304 || len == null ? new byte[0]
                : in.readNBytes(Integer.parseInt(len));
        return new RawHttp.Response(status, headers, body);
    }

    public RawHttp.Response read() throws IOException {
        return read(false);
    }

    /** Whether the server closes the connection within {@code millis}: end of stream or a reset. */
    boolean closedWithin(long millis) throws IOException {
        socket.setSoTimeout((int) millis);
        try {
            return in.read() == -1;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        } finally {
            socket.setSoTimeout(10_000);
        }
    }

    private String line() throws IOException {
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

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
