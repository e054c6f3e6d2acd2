package dev.streamlab.http.range;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict, test-only reader of a multipart body (RFC 2046 §5.1.1), written from the grammar and not from the
 * writer, so the two cannot share a mistake:
 * <pre>
 *   multipart-body := [preamble CRLF] dash-boundary transport-padding CRLF body-part *encapsulation
 *                     close-delimiter transport-padding [CRLF epilogue]
 *   encapsulation  := delimiter transport-padding CRLF body-part
 *   delimiter      := CRLF dash-boundary          close-delimiter := delimiter "--"
 * </pre>
 * It fails the test on anything a careful client would reject.
 */
final class MultipartParser {
    record ParsedPart(Map<String, String> headers, byte[] body) {
    }

    /** The parsed parts; also checks the body ends with the close delimiter and nothing but an empty epilogue. */
    static List<ParsedPart> parse(byte[] body, String boundary) {
        byte[] dash = ascii("--" + boundary);
        byte[] delimiter = ascii("\r\n--" + boundary);
        int pos;
        if (startsWith(body, 0, dash)) {
            pos = dash.length; // no preamble
        } else {
            int d = indexOf(body, delimiter, 0); // a preamble, possibly empty, then CRLF
            if (d < 0) fail("no boundary in body");
            pos = d + delimiter.length;
        }
        List<ParsedPart> parts = new ArrayList<>();
        while (true) {
            if (startsWith(body, pos, ascii("--"))) { // close-delimiter
                pos += 2;
                while (pos < body.length && (body[pos] == ' ' || body[pos] == '\t')) pos++;
                byte[] epilogue = Arrays.copyOfRange(body, pos, body.length);
                assertEquals("\r\n", new String(epilogue, StandardCharsets.US_ASCII),
                        "after the close delimiter only CRLF and an empty epilogue");
                return parts;
            }
            while (pos < body.length && (body[pos] == ' ' || body[pos] == '\t')) pos++; // transport-padding
            assertTrue(startsWith(body, pos, ascii("\r\n")), "CRLF after the boundary at " + pos);
            pos += 2;
            Map<String, String> headers = new LinkedHashMap<>();
            while (true) {
                int eol = indexOf(body, ascii("\r\n"), pos);
                if (eol < 0) fail("part header not terminated");
                String line = new String(body, pos, eol - pos, StandardCharsets.US_ASCII);
                pos = eol + 2;
                if (line.isEmpty()) break;
                int colon = line.indexOf(':');
                assertTrue(colon > 0, "header line " + line);
                headers.put(line.substring(0, colon), line.substring(colon + 1).strip());
            }
            int next = indexOf(body, delimiter, pos);
            if (next < 0) fail("part not followed by a delimiter");
            parts.add(new ParsedPart(headers, Arrays.copyOfRange(body, pos, next)));
            pos = next + delimiter.length;
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static boolean startsWith(byte[] a, int from, byte[] prefix) {
        if (from + prefix.length > a.length) return false;
        return Arrays.equals(a, from, from + prefix.length, prefix, 0, prefix.length);
    }

    private static int indexOf(byte[] a, byte[] needle, int from) {
        for (int i = from; i + needle.length <= a.length; i++) {
            if (startsWith(a, i, needle)) return i;
        }
        return -1;
    }
}
