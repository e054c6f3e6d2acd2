/**
 * HTTP byte ranges and conditional requests as a pure model (RFC 9110 §8.8, §13, §14, §15.3.7, §15.5.17): no
 * sockets, no server API, header values in and a {@link dev.streamlab.http.range.ResponsePlan} out. Phase 2
 * ({@code com.sun.net.httpserver}) and phase 3 (our own socket server) both serve files through it.
 *
 * <p>Start at {@link dev.streamlab.http.range.RangeRequest#plan}, which runs the whole pipeline:
 * {@link dev.streamlab.http.range.Preconditions} (If-Match, If-Unmodified-Since, If-None-Match, If-Modified-Since,
 * If-Range, in §13.2.2's order), {@link dev.streamlab.http.range.RangeHeader} (parse, or ignore), and
 * {@link dev.streamlab.http.range.Ranges} (resolve, coalesce, cap). Multi-range answers are laid out by
 * {@link dev.streamlab.http.range.MultipartByteranges} with an exact Content-Length.
 *
 * <p>Every bad or hostile input ends in a defined status, never an exception: a malformed Range is ignored (200),
 * a Range past the end is 416, a thousand overlapping ranges coalesce into one, twenty-digit numbers saturate.
 * Try it with {@code curl -r 0-1 -v}, {@code curl -H 'Range: bytes=0-,0-,0-' -v},
 * {@code curl -H 'Range: bytes=-99999999999999999999' -v}.
 */
package dev.streamlab.http.range;
