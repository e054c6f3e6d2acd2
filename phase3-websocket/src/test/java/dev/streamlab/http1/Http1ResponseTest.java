package dev.streamlab.http1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The response head as bytes on the wire (RFC 9112 §4, §5). */
class Http1ResponseTest {
    private static String wire(Http1Response r) {
        ByteBuffer b = r.encode();
        return StandardCharsets.ISO_8859_1.decode(b).toString();
    }

    @Test
    void headIsStatusLineThenFieldsInOrderThenAnEmptyLine() {
        Http1Response r = new Http1Response(206).set("Date", "Sun, 06 Nov 1994 08:49:37 GMT")
                .set("Content-Range", "bytes 0-1/692874").set("Content-Length", "2").add("Vary", "Range");
        assertEquals("HTTP/1.1 206 Partial Content\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
                + "Content-Range: bytes 0-1/692874\r\nContent-Length: 2\r\nVary: Range\r\n\r\n", wire(r));
    }

    @Test
    void aDateIsAddedWhenTheHandlerSetNone() {
        String head = wire(new Http1Response(404).set("Content-Length", "0"));
        assertTrue(head.matches("HTTP/1\\.1 404 Not Found\r\nDate: \\w{3}, \\d{2} \\w{3} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT\r\n"
                + "Content-Length: 0\r\n\r\n"), head);
    }

    @Test
    void anUnknownStatusHasAnEmptyReasonPhrase() {
        assertEquals("HTTP/1.1 299 \r\nDate: x\r\n\r\n", wire(new Http1Response(299).set("Date", "x")));
    }

    @Test
    void latin1ValuesGoOutAsSingleBytesAndOthersAreRefused() {
        String head = wire(new Http1Response(200).set("Date", "x").set("X-Name", "caf\u00e9"));
        assertTrue(head.contains("X-Name: caf\u00e9\r\n"), head);
        assertEquals(head.length(), new Http1Response(200).set("Date", "x").set("X-Name", "caf\u00e9").encode().remaining());
        assertThrows(IllegalArgumentException.class, () -> new Http1Response(200).set("X-Name", "\u20ac"));
        assertThrows(IllegalArgumentException.class, () -> new Http1Response(200).set("X-Name", "a\r\nSet-Cookie: x"));
    }
}
