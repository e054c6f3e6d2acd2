/**
 * permessage-deflate, RFC 7692, with nothing but {@code java.util.zip}: the handshake's negotiation
 * ({@link dev.streamlab.websocket.deflate.PerMessageDeflate}, §7.1), compressing a message
 * ({@link dev.streamlab.websocket.deflate.MessageDeflater}: raw DEFLATE, SYNC_FLUSH, the {@code 00 00 ff ff} tail cut
 * off, §7.2.1) and inflating one across its fragments with the size limit applied to the inflated bytes
 * ({@link dev.streamlab.websocket.deflate.MessageInflater}, §7.2.2).
 *
 * <p>Where it pays: JSON control and metrics messages shrink 5–10× and their keys repeat from message to message
 * (context takeover); video segments are already entropy-coded (H.264 CABAC/CAVLC, AAC Huffman) and do not shrink,
 * and compressing them would add a copy and lose the zero-copy path. So compression is never automatic: the sender
 * decides per message ({@code WsConnection.sendText(payload, compress)}); phase 4's {@code CompressionBenchmark}
 * and README ("Compression: worth it?") measure the trade.
 *
 * <p>Limits of {@code java.util.zip}: a Deflater always uses a 15-bit window, so an offer with
 * {@code server_max_window_bits} below 15 is declined; an Inflater reads any window. Both hold native memory until
 * {@code end()}, which the session calls when the connection closes ({@code streamlab_ws_deflate_native_streams}).
 */
package dev.streamlab.websocket.deflate;
