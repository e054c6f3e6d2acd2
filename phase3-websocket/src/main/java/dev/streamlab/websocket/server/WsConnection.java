package dev.streamlab.websocket.server;

import dev.streamlab.http1.Http1Upgrade;
import dev.streamlab.websocket.WsCloseCodes;
import dev.streamlab.websocket.deflate.MessageDeflater;
import dev.streamlab.websocket.frame.FrameWriter;
import dev.streamlab.websocket.frame.WsOpcode;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The sending side of one WebSocket connection, safe to use from several threads (a hub's sender thread and the
 * connection's reader answering pings). Each message goes out as one gathering write of [frame header, payload]:
 * the payload buffer is written as is, never copied into a frame buffer ({@link FrameWriter}).
 *
 * <p><b>Compression (permessage-deflate, RFC 7692).</b> When the handshake agreed to it, {@link #sendText(ByteBuffer,
 * boolean)} and {@link #sendBinary(ByteBuffer, boolean)} with {@code compress = true} deflate the message (one copy,
 * into the deflater's buffer) and set RSV1; every other send stays uncompressed and zero-copy, which RFC 7692
 * allows message by message. Compression runs under the send lock: with context takeover the peer inflates messages
 * in wire order, so they must be compressed in that order.
 */
public final class WsConnection {
    private final Http1Upgrade upgrade;
    private final FrameWriter writer = FrameWriter.server();
    private final ReentrantLock lock = new ReentrantLock(); // not synchronized: a virtual thread may block in it
    private final MessageDeflater deflater; // null unless permessage-deflate was agreed
    private volatile boolean closeSent;
    private boolean ended; // the deflater was ended; guarded by lock

    WsConnection(Http1Upgrade upgrade) {
        this(upgrade, null);
    }

    WsConnection(Http1Upgrade upgrade, MessageDeflater deflater) {
        this.upgrade = upgrade;
        this.deflater = deflater;
    }

    public void sendText(ByteBuffer utf8) throws IOException {
        send(WsOpcode.TEXT, utf8);
    }

    public void sendBinary(ByteBuffer payload) throws IOException {
        send(WsOpcode.BINARY, payload);
    }

    /**
     * A text message, compressed if {@code compress} and permessage-deflate was agreed ({@link #compresses()}),
     * otherwise as {@link #sendText(ByteBuffer)}. Meant for JSON control and metrics messages.
     */
    public void sendText(ByteBuffer utf8, boolean compress) throws IOException {
        send(WsOpcode.TEXT, utf8, compress);
    }

    /**
     * A binary message, compressed if {@code compress} and permessage-deflate was agreed. Not for video: it is
     * already compressed, and this would copy it.
     */
    public void sendBinary(ByteBuffer payload, boolean compress) throws IOException {
        send(WsOpcode.BINARY, payload, compress);
    }

    /** Whether permessage-deflate was agreed, so that {@code compress = true} has an effect. */
    public boolean compresses() {
        return deflater != null;
    }

    /**
     * One binary message whose payload is the concatenation of {@code parts}, sent as one gathering write of
     * [frame header, part1, part2, ...]: no part is copied in user space here (a heap part costs the JDK's own copy
     * into a temporary direct buffer; a mapped or direct part, none). For a protocol header in front of a segment
     * whose bytes are views of a mapped file. The parts' positions are not changed (duplicates are written).
     */
    public void sendBinary(ByteBuffer... parts) throws IOException {
        long length = 0;
        ByteBuffer[] gather = new ByteBuffer[parts.length + 1];
        for (int i = 0; i < parts.length; i++) {
            gather[i + 1] = parts[i].duplicate();
            length += parts[i].remaining();
        }
        // RFC 6455 §5.2: FIN + opcode, then the minimal 7, 7+16 or 7+64 bit length; a server never masks (§5.1).
        ByteBuffer header = ByteBuffer.allocate(FrameWriter.headerLength(length, false));
        header.put((byte) (0x80 | WsOpcode.BINARY.code()));
        if (length < 126) {
            header.put((byte) length);
        } else if (length <= 0xFFFF) {
            header.put((byte) 126).putShort((short) length);
        } else {
            header.put((byte) 127).putLong(length);
        }
        gather[0] = header.flip();
        lock.lock();
        try {
            // ended as in send(): this path never compresses, so the ended deflater is not at stake, but a message
            // after the session's end must fail as every other send does, not go out in the moment before the
            // connection closes the socket (nor fail, after it, as a ClosedChannelException).
            if (closeSent || ended) throw new IOException("the WebSocket is closing");
            upgrade.write(gather);
        } finally {
            lock.unlock();
        }
    }

    void send(WsOpcode opcode, ByteBuffer payload) throws IOException {
        send(opcode, payload, false);
    }

    private void send(WsOpcode opcode, ByteBuffer payload, boolean compress) throws IOException {
        lock.lock();
        try {
            if (closeSent || ended) throw new IOException("the WebSocket is closing");
            if (compress && deflater != null) {
                // RFC 7692 §6: RSV1 on the (only) frame of a compressed message
                upgrade.write(writer.frame(true, true, opcode, deflater.compress(payload)));
            } else {
                upgrade.write(writer.frame(true, opcode, payload.duplicate()));
            }
        } finally {
            lock.unlock();
        }
    }

    /** The session is over: frees the Deflater's native memory. Later sends fail with an IOException. */
    void end() {
        lock.lock();
        try {
            ended = true;
            if (deflater != null) deflater.end();
        } finally {
            lock.unlock();
        }
    }

    /** Sends a Close frame once (RFC 6455 §5.5.1: after it, no more data frames); later calls do nothing. */
    public void close(int code, String reason) throws IOException {
        lock.lock();
        try {
            if (closeSent) return;
            closeSent = true;
            upgrade.write(writer.frame(true, WsOpcode.CLOSE, FrameWriter.closePayload(code,
                    WsCloseCodes.truncateReason(reason))));
        } finally {
            lock.unlock();
        }
    }

    /**
     * Drops the TCP connection at once, without a Close frame: for a send that failed part-way (a mapped source that
     * could not be read), after which a Close frame would be read as the rest of the half-sent frame. The peer sees
     * the connection end (1006) instead of waiting on a socket that is fine but will never carry anything again.
     */
    public void abort() {
        try {
            upgrade.channel().close();
        } catch (IOException ignored) {
            // closing a socket fails only when it is already unusable
        }
    }

    public boolean closeSent() {
        return closeSent;
    }

    public String remote() {
        return String.valueOf(upgrade.remoteAddress());
    }

    /** The client's IP address, without the port: what a per-client limit keys on. */
    public InetAddress remoteAddress() {
        return upgrade.remoteAddress().getAddress();
    }
}
