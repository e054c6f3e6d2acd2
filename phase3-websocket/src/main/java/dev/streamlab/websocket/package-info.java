/**
 * RFC 6455 WebSocket protocol rules on top of the frame codec, still without sockets: the opening handshake
 * ({@link dev.streamlab.websocket.WsHandshake}, §4.2), the rules every received frame must pass
 * ({@link dev.streamlab.websocket.WsValidator}, §5), a streaming UTF-8 check that fails fast
 * ({@link dev.streamlab.websocket.Utf8Validator}, §8.1), close codes ({@link dev.streamlab.websocket.WsCloseCodes},
 * §7.4), and the piece a connection loop drives: {@link dev.streamlab.websocket.WsMessageAssembler}, bytes in,
 * {@link dev.streamlab.websocket.WsEvent}s out.
 *
 * <p>permessage-deflate (RFC 7692), the one extension, lives in {@code dev.streamlab.websocket.deflate}: the
 * handshake negotiates it, the validator then allows RSV1 on a message's first frame, the assembler inflates.
 *
 * <p>Every violation by the peer surfaces as one exception type,
 * {@link dev.streamlab.websocket.frame.WsCloseException}, carrying the close code to send (1002 protocol error,
 * 1007 invalid UTF-8, 1009 too big). The behaviour is pinned down by a port of Autobahn|Testsuite sections 1–7, 9
 * and 10 at the codec level ({@code AutobahnCases} in the test sources, run by {@code AutobahnCodecTest}); the
 * same table can drive a server over real sockets.
 */
package dev.streamlab.websocket;
