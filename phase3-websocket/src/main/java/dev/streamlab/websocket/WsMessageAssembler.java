package dev.streamlab.websocket;

import dev.streamlab.websocket.deflate.DeflateEvents;
import dev.streamlab.websocket.deflate.MessageInflater;
import dev.streamlab.websocket.deflate.PerMessageDeflate;
import dev.streamlab.websocket.frame.Frame;
import dev.streamlab.websocket.frame.FrameHeader;
import dev.streamlab.websocket.frame.FrameReader;
import dev.streamlab.websocket.frame.FrameSink;
import dev.streamlab.websocket.frame.WsCloseException;
import dev.streamlab.websocket.frame.WsOpcode;

import java.nio.ByteBuffer;

/**
 * The receiving half of a WebSocket connection without the socket: bytes in, {@link WsEvent}s out. It drives a
 * {@link FrameReader}, checks every header with a {@link WsValidator} before the payload is read, validates text as
 * UTF-8 while it arrives (failing fast, even in the middle of a frame), and joins fragments into messages.
 *
 * {@snippet :
 * WsMessageAssembler in = WsMessageAssembler.server(WsLimits.DEFAULT);
 * FrameWriter out = FrameWriter.server();
 * ByteBuffer buffer = ByteBuffer.allocate(16 * 1024);
 * try {
 *     while (channel.read(buffer) >= 0) {
 *         buffer.flip();
 *         WsEvent event;
 *         while ((event = in.next(buffer)) != null) {
 *             switch (event) { ... }                 // see WsEvent
 *         }
 *         buffer.compact();
 *     }
 * } catch (WsCloseException e) {
 *     out.writeClose(channel, e.closeCode(), e.closeReason()); // RFC 6455 §7.1.7 _Fail the WebSocket Connection_
 * }
 * }
 *
 * <p><b>Buffers and copies.</b> Each payload byte is copied once, from the caller's read buffer into the
 * assembler's buffer, unmasked on the way; fragments are appended where the previous one ended, so joining them
 * costs nothing more — except when the message outgrows the buffer, which then doubles (amortized: fewer than one
 * extra copy per byte). Buffers grow as payload bytes arrive, never ahead of them on a header's word, so the memory
 * a connection holds follows what it sent (at most about twice that, plus 4 KiB), whatever length it announced. The
 * message buffer is reused across messages up to 64 KiB; a larger one is dropped once its message has been handed
 * over (at the next call), so an idle connection keeps 64 KiB, plus, after a large compressed frame, that frame's
 * scratch buffer until the next compressed one. Past 64 KiB, buffers are charged to a {@link MessageBudget} shared by
 * all of a server's connections (1013 when it is spent). Control frames go into a
 * separate 125-byte buffer, so a ping between two fragments leaves the partial message alone. Event payloads are
 * views of these buffers (valid until the next call), not copies. Measured ({@code FrameReaderAllocationTest}):
 * 192 bytes allocated per 1000-byte text message — records and views, no payload bytes.
 *
 * <p><b>permessage-deflate (RFC 7692).</b> With an agreement ({@link #server(WsLimits, PerMessageDeflate.Agreement,
 * DeflateEvents)}), a message whose first frame has RSV1 set is compressed: each frame's payload goes into a scratch
 * buffer (the one copy of reading, as above) and is inflated from there into the message buffer when the frame is
 * complete — a second, unavoidable write of every byte. The message size limit then applies twice: to the wire bytes
 * (from the headers, as always) and to the inflated bytes, checked while inflating, so a zip bomb fails with 1009
 * before more than {@code maxMessageSize + 1} bytes exist. UTF-8 is checked on the inflated bytes, frame by frame.
 * Corrupt DEFLATE data fails with 1007 (see {@link MessageInflater}). Call {@link #end()} when the connection
 * closes: the Inflater holds native memory.
 *
 * <p>After the peer's Close, {@link #next} discards whatever follows (RFC 6455 §1.4: after the closing handshake
 * starts, no more data is processed; Autobahn 7.1.2–7.1.5). After a {@link WsCloseException} the assembler is
 * unusable. Not thread-safe: one per connection.
 */
public final class WsMessageAssembler {
    private static final int INITIAL_CAPACITY = 4 * 1024;
    private static final int RETAINED_CAPACITY = 64 * 1024;

    private final WsValidator validator;
    private final FrameReader reader;
    private final Utf8Validator utf8 = new Utf8Validator();
    private final ByteBuffer control = ByteBuffer.allocate(125);
    private final int maxMessageSize;
    private final MessageInflater inflater; // null unless permessage-deflate was agreed
    private ByteBuffer message;        // allocated at the first data frame
    private ByteBuffer compressedFrame; // scratch for a compressed frame's payload, before inflating
    private boolean compressedMessage; // the current message's first frame had RSV1
    private WsOpcode messageType;      // TEXT or BINARY: the message the current data frame belongs to
    private boolean closed;
    private int fragments;             // data frames without FIN absorbed since takeFragments: no event of their own
    private MessageBudget budget = MessageBudget.NONE;
    private long charged;              // bytes of buffers past RETAINED_CAPACITY, taken from the budget
    private boolean delivered;         // the last call returned a data message, whose buffer is now free

    private WsMessageAssembler(WsValidator.Role role, WsLimits limits, MessageInflater inflater) {
        this.validator = new WsValidator(role, limits.maxMessageSize(), inflater != null);
        this.maxMessageSize = limits.maxMessageSize();
        this.inflater = inflater;
        this.reader = new FrameReader(limits.maxFramePayload(), new Sink());
    }

    /** For a server: client frames must be masked. */
    public static WsMessageAssembler server(WsLimits limits) {
        return new WsMessageAssembler(WsValidator.Role.SERVER, limits, null);
    }

    /** For a server that agreed to permessage-deflate: RSV1 marks a compressed message, inflated here. */
    public static WsMessageAssembler server(WsLimits limits, PerMessageDeflate.Agreement deflate, DeflateEvents events) {
        return new WsMessageAssembler(WsValidator.Role.SERVER, limits, MessageInflater.server(deflate, events));
    }

    /**
     * Charges buffers past 64 KiB to {@code b} (before the first frame): a server's sessions give
     * {@link MessageBudget#JVM}, and call {@link #end()} when the connection closes; {@link MessageBudget#NONE} until
     * then.
     */
    public WsMessageAssembler budget(MessageBudget b) {
        budget = b;
        return this;
    }

    /** For a client (tests, tools): server frames must not be masked. */
    public static WsMessageAssembler client(WsLimits limits) {
        return new WsMessageAssembler(WsValidator.Role.CLIENT, limits, null);
    }

    /** For a client (tests, tools) that agreed to permessage-deflate. */
    public static WsMessageAssembler client(WsLimits limits, PerMessageDeflate.Agreement deflate, DeflateEvents events) {
        return new WsMessageAssembler(WsValidator.Role.CLIENT, limits, MessageInflater.client(deflate, events));
    }

    /**
     * Frees the Inflater's native memory (permessage-deflate) and gives back what the budget lent; call once the
     * connection is closed. Idempotent.
     */
    public void end() {
        if (inflater != null) inflater.end();
        budget.release(charged);
        charged = 0;
    }

    /**
     * Reads frames from {@code src} until one yields an event: a complete message, a ping, a pong, or a close.
     * Fragments without FIN are absorbed. Bytes after the event's frame stay in {@code src} for the next call.
     *
     * @return the next event, or {@code null} when {@code src} is used up first (or the peer already closed)
     * @throws WsCloseException if the peer broke the protocol or a limit; send a Close with its code, then close
     *                          the connection
     * @throws IllegalStateException if called again after a {@code WsCloseException}
     */
    public WsEvent next(ByteBuffer src) throws WsCloseException {
        if (closed) {
            src.position(src.limit()); // nothing after the peer's Close is processed
            return null;
        }
        if (delivered) { // the event's view of a large buffer is no longer valid: the budget gets it back now
            delivered = false;
            if (message.capacity() > RETAINED_CAPACITY) message = drop(message);
        }
        Frame frame;
        while ((frame = reader.read(src)) != null) {
            FrameHeader h = frame.header();
            switch (h.wsOpcode()) {
                case PING -> {
                    return new WsEvent.Ping(frame.payload());
                }
                case PONG -> {
                    return new WsEvent.Pong(frame.payload());
                }
                case CLOSE -> {
                    WsEvent.Close close = WsValidator.parseClose(frame.payload());
                    closed = true;
                    return close;
                }
                case TEXT, BINARY, CONTINUATION -> {
                    if (compressedMessage) inflateFrame(frame.payload(), h.fin());
                    if (h.fin()) return completeMessage();
                    fragments++; // a fragment without FIN: keep reading, but it was work all the same
                }
            }
        }
        return null;
    }

    /**
     * Data frames without FIN absorbed since the last call. They yield no event, so a session that caps its peer's
     * work per event charges these too: a peer sending empty continuation frames forever never completes a message,
     * never grows it past its limit, and (uncharged) kept a carrier busy on 126 million frames in 10 s.
     */
    public int takeFragments() {
        int n = fragments;
        fragments = 0;
        return n;
    }

    /** Whether the peer's Close was returned; every later {@link #next} discards its input. */
    public boolean isClosed() {
        return closed;
    }

    /** Whether no frame is half-read; at end of stream, false means the peer vanished mid-frame. */
    public boolean isAtFrameBoundary() {
        return reader.isAtFrameBoundary();
    }

    /** Whether a fragmented message has begun and not yet ended. */
    public boolean inFragmentedMessage() {
        return validator.inFragmentedMessage();
    }

    /** Inflates one compressed frame onto the message, then checks the new bytes' UTF-8 for a text message. */
    private void inflateFrame(ByteBuffer compressed, boolean fin) throws WsCloseException {
        int from = message.position();
        message = inflater.inflate(compressed, fin, message, maxMessageSize, this::charge);
        if (messageType == WsOpcode.TEXT && !utf8.feed(message, from, message.position())) {
            throw WsCloseException.invalidPayload("invalid UTF-8 in compressed text message");
        }
    }

    /**
     * A buffer of {@code from} bytes is about to become one of {@code to}: takes the growth past 64 KiB from the
     * budget, or fails the connection with 1013 when the server holds too many large messages already.
     */
    private void charge(int from, int to) throws WsCloseException {
        long delta = Math.max(0, to - RETAINED_CAPACITY) - Math.max(0, from - RETAINED_CAPACITY);
        if (delta <= 0) return;
        if (!budget.reserve(delta)) {
            throw new WsCloseException("the server holds too many large messages now; try again later",
                    WsCloseCodes.TRY_AGAIN_LATER);
        }
        charged += delta;
    }

    /** Gives back what {@code b} was charged; returns null (the caller's reference to it is dropped). */
    private ByteBuffer drop(ByteBuffer b) {
        long c = Math.max(0, b.capacity() - RETAINED_CAPACITY);
        budget.release(c);
        charged -= c;
        return null;
    }

    private WsEvent completeMessage() throws WsCloseException {
        delivered = true;
        ByteBuffer payload = message.slice(0, message.position());
        if (messageType == WsOpcode.TEXT) {
            // RFC 6455 §5.6: "a particular text frame might include a partial UTF-8 sequence; however, the whole
            // message MUST contain valid UTF-8" — so a sequence cut off by the end of the message fails here.
            if (!utf8.isComplete()) throw WsCloseException.invalidPayload("text message ends inside a UTF-8 sequence");
            return new WsEvent.Text(payload, compressedMessage);
        }
        return new WsEvent.Binary(payload, compressedMessage);
    }

    /** Validation and buffers for the reader; see {@link FrameSink} for the order of the calls. */
    private final class Sink implements FrameSink {
        private boolean startsMessage;

        @Override
        public void onHeader(FrameHeader header) throws WsCloseException {
            WsOpcode type = validator.checkHeader(header);
            if (type.isControl()) return;
            messageType = type;
            if (header.opcode() != WsOpcode.CONTINUATION.code()) {
                utf8.reset();
                compressedMessage = header.rsv1(); // the validator allowed RSV1 only here (RFC 7692 §6.1)
                startsMessage = true; // the buffer is prepared in payloadBuffer, after the reader's size check
            }
        }

        @Override
        public ByteBuffer payloadBuffer(FrameHeader header) {
            if (header.isControl()) return control.clear();
            if (startsMessage) {
                startsMessage = false;
                startMessage();
            }
            // Whatever room there is: morePayloadRoom grows the buffer as the bytes arrive, not when announced.
            return compressedMessage ? compressedBuffer() : message;
        }

        /**
         * Grows the buffer that filled up — doubling, so a message's copies stay amortized O(length), but never past
         * what the message may still need: a FIN frame ends it, so its end is the cap; otherwise the size limit. So
         * the memory a connection holds is at most about twice the bytes it actually sent (announcing 16 MiB in a
         * 14-byte header and sending nothing more once reserved 16 MiB per connection: a few hundred such
         * connections exhausted a 6 GB heap; {@code WsMessageAssemblerTest}).
         */
        @Override
        public ByteBuffer morePayloadRoom(FrameHeader header, ByteBuffer full, int start, int filled, int wanted)
                throws WsCloseException {
            int needed = start + filled + wanted;
            long cap = header.fin() ? start + header.payloadLength() : maxMessageSize;
            int capacity = (int) Math.min(cap, Math.max(needed, 2L * full.capacity()));
            charge(full.capacity(), capacity);
            ByteBuffer bigger = ByteBuffer.allocate(capacity);
            bigger.put(0, full, 0, start + filled).position(start);
            if (full == message) message = bigger;
            else compressedFrame = bigger; // the only other buffer a data frame gets
            return bigger;
        }

        @Override
        public void onPayload(FrameHeader header, ByteBuffer buffer, int from, int to) throws WsCloseException {
            if (!header.isControl() && !compressedMessage && messageType == WsOpcode.TEXT && !utf8.feed(buffer, from, to)) {
                // RFC 6455 §8.1: invalid UTF-8 → _Fail the WebSocket Connection_ (1007), as soon as it is seen
                throw WsCloseException.invalidPayload("invalid UTF-8 in text message");
            }
        }

        /** The scratch buffer for one compressed frame, reused up to 64 KiB like the message buffer. */
        private ByteBuffer compressedBuffer() {
            if (compressedFrame == null || compressedFrame.capacity() > RETAINED_CAPACITY) {
                if (compressedFrame != null) drop(compressedFrame);
                compressedFrame = ByteBuffer.allocate(INITIAL_CAPACITY);
            }
            return compressedFrame.clear();
        }

        /** The first message, or the last one's large buffer dropped: 4 KiB to start, grown as bytes arrive. */
        private void startMessage() {
            if (message != null && message.capacity() <= RETAINED_CAPACITY) {
                message.clear();
                return;
            }
            if (message != null) drop(message);
            message = ByteBuffer.allocate(INITIAL_CAPACITY);
        }
    }
}
