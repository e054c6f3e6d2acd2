/**
 * Phase 3's own HTTP/1.1 server (RFC 9110, RFC 9112) on blocking sockets and a virtual thread per connection.
 *
 * <table>
 *   <caption>Types</caption>
 *   <tr><td>{@link dev.streamlab.http1.Http1Server}</td><td>accept loop, connection cap, lifecycle</td></tr>
 *   <tr><td>{@link dev.streamlab.http1.Http1Parser}</td><td>bytes to {@link dev.streamlab.http1.Http1Request}s,
 *       split anywhere; limits; {@link dev.streamlab.http1.Http1Exception} with the status to answer</td></tr>
 *   <tr><td>{@link dev.streamlab.http1.Http1Exchange}</td><td>what a {@link dev.streamlab.http1.Http1Handler} gets:
 *       the request, the response head ({@link dev.streamlab.http1.Http1Response}), body writes and
 *       {@code transferFrom} (sendfile)</td></tr>
 *   <tr><td>{@link dev.streamlab.http1.UpgradeHandler}, {@link dev.streamlab.http1.Http1Upgrade}</td><td>the hook
 *       that hands a connection to another protocol (WebSocket)</td></tr>
 *   <tr><td>{@link dev.streamlab.http1.Http1Timeout}, {@link dev.streamlab.http1.Http1Events}</td><td>deadlines, and
 *       what the server reports for metrics</td></tr>
 * </table>
 *
 * <p><b>Copies per video body byte, disk to socket: 0 in user space</b> ({@code FileChannel.transferTo}, i.e.
 * {@code sendfile(2)}), except the chunks sent while {@code transferTo} returns 0 on a full socket buffer, which
 * take 1 ({@code read(2)} into a pooled direct buffer, then {@code write(2)}). Shown in {@code /metrics} as
 * {@code streamlab_http_userspace_copy_bytes_total}, {@code streamlab_http_copies_per_byte} and
 * {@code streamlab_http_transferto_zero_returns_total}. Phase 2, on {@code com.sun.net.httpserver}, makes 3 per
 * byte: its {@code OutputStream} API takes only {@code byte[]}. See {@code Http1Writer} for the details.
 */
package dev.streamlab.http1;
