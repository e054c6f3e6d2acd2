package dev.streamlab.websocket.hub;

import dev.streamlab.websocket.WsCloseCodes;
import dev.streamlab.websocket.WsEvent;
import dev.streamlab.websocket.WsLimits;
import dev.streamlab.websocket.server.WsConnection;
import dev.streamlab.websocket.server.WsEndpoint;
import dev.streamlab.websocket.server.WsEndpoints;
import java.io.IOException;
import java.util.function.BiFunction;

/**
 * {@code /ws/topic/{name}}: a WebSocket that is a subscriber of one {@link Hub} topic, and may publish to it.
 *
 * <h2>Protocol</h2>
 * <pre>
 *   ws://HOST/ws/topic/{name}[?policy=drop-oldest|skip-to-marked|disconnect][&amp;queue=N][&amp;close=1008|1013]
 * </pre>
 * <ul>
 *   <li><b>Connecting subscribes</b> to topic {@code name} ({@code [a-z0-9-]{1,64}}; the topic exists while it has
 *       subscribers). The query picks this subscriber's send queue: {@code policy} (default {@code drop-oldest}),
 *       {@code queue} in messages (1–4096, default 64), and for {@code disconnect} the close code, {@code close}
 *       (default 1008). Semantics: {@link Overflow} and {@link Subscription}.</li>
 *   <li><b>Every message the server receives is published as is</b> — text as text, binary as binary — to the
 *       topic's <em>other</em> subscribers (never echoed to its sender). A client-published message is
 *       {@linkplain HubMessage#marked() marked}: each stands alone, so for {@code skip-to-marked} it means "skip to
 *       the newest message". The server publishes through {@link Hub#publish} too, and chooses the marks (phase 3b:
 *       keyframe segments).</li>
 *   <li><b>The server closes</b> with 1008 (policy violation) and a reason for a bad name or query, right after
 *       the handshake (an upgrade cannot carry a reason; a Close frame can); with 1008 or 1013 when a
 *       {@code disconnect} subscriber's queue overflows; with 1001 when the hub shuts down, and 1013 to a client
 *       that arrives while it does.</li>
 * </ul>
 * Example: {@code websocat 'ws://127.0.0.1:8080/ws/topic/demo?policy=skip-to-marked&queue=16'} in two terminals;
 * what one types, the other prints.
 *
 * <p><b>Copies.</b> A message a client publishes is copied once, out of the session's reused read buffer into a
 * direct buffer ({@link HubMessage#copyOf}: {@code streamlab_ws_hub_copied_bytes_total}); then 0 per subscriber,
 * each writing a view of that buffer.
 *
 * <h2>Wiring</h2>
 * {@snippet :
 * server.setUpgradeHandler(new WsEndpoints(handshake, limits, heartbeat)
 *         .register("/ws/echo", new EchoEndpoint())
 *         .registerPrefix(TopicEndpoint.PREFIX, TopicEndpoint.factory(hub)));
 * }
 */
public final class TopicEndpoint implements WsEndpoint {
    public static final String PREFIX = "/ws/topic/";

    /**
     * Publishers' messages up to 1 MiB (the fan-out benchmarks send 64 KiB): each is copied once and kept alive by
     * every queue it waits in, so the server's 16 MiB — which a compressed publisher can reach with 16 KB on the
     * wire — would let a few stalled subscribers pin gigabytes.
     */
    public static final WsLimits LIMITS = new WsLimits(1 << 20, 1 << 20);

    private static final String SHUTTING_DOWN = "the hub is shutting down";

    private final Hub hub;
    private final String topic;
    private final QueuePolicy policy; // null when refused
    private final String refusal;     // the Close reason when refused, else null
    // Set in opened, read in message and closed: all three run on the connection's own thread.
    private Subscription subscription;

    private TopicEndpoint(Hub hub, String topic, QueuePolicy policy, String refusal) {
        this.hub = hub;
        this.topic = topic;
        this.policy = policy;
        this.refusal = refusal;
    }

    /**
     * The endpoint for one connection to {@code /ws/topic/{name}?{query}}. A bad name or query does not throw: the
     * endpoint accepts the upgrade and then closes with 1008 and the reason.
     *
     * @param query the raw query, or null
     */
    public static TopicEndpoint create(Hub hub, String name, String query) {
        String problem = Hub.topicNameProblem(name);
        if (problem != null) return new TopicEndpoint(hub, name, null, problem);
        try {
            return new TopicEndpoint(hub, name, QueuePolicy.parse(query), null);
        } catch (IllegalArgumentException badQuery) {
            return new TopicEndpoint(hub, name, null, badQuery.getMessage());
        }
    }

    /** For {@link WsEndpoints#registerPrefix}: the rest of the path is the topic name, then the query. */
    public static BiFunction<String, String, WsEndpoint> factory(Hub hub) {
        return (name, query) -> create(hub, name, query);
    }

    /** The topic's name as requested (possibly invalid). */
    public String topic() {
        return topic;
    }

    /** The queue policy asked for, or null when the request was refused. */
    public QueuePolicy policy() {
        return policy;
    }

    @Override
    public WsLimits limits(WsLimits server) {
        return LIMITS;
    }

    @Override
    public void opened(WsConnection connection) throws IOException {
        if (refusal != null) {
            connection.close(WsCloseCodes.POLICY_VIOLATION, refusal);
            return;
        }
        // No isClosed() check first: Hub.close() could run between it and subscribe (a client arriving as the
        // server shuts down), and the IllegalStateException then left the session: the socket dropped with no
        // Close frame (the client saw 1006) and a stack trace was logged as a server failure. subscribe is the one
        // check, atomic with the subscription (it disconnects a subscriber that raced close() itself).
        try {
            subscription = hub.subscribe(topic, HubSink.of(connection), policy);
        } catch (IllegalStateException closed) {
            if (!hub.isClosed()) throw closed;
            connection.close(WsCloseCodes.TRY_AGAIN_LATER, SHUTTING_DOWN);
        }
    }

    @Override
    public void message(WsConnection connection, WsEvent message) {
        if (subscription == null) return; // refused: our Close is on its way; ignore what crosses it
        switch (message) {
            // The payload is the session's reused buffer, valid until we return: copy once, share the copy.
            case WsEvent.Text t -> hub.publish(topic, HubMessage.copyOf(t.payload(), true, true), subscription);
            case WsEvent.Binary b -> hub.publish(topic, HubMessage.copyOf(b.payload(), false, true), subscription);
            default -> { } // control frames never reach an endpoint
        }
    }

    @Override
    public void closed(WsConnection connection, int code) {
        if (subscription != null) subscription.close();
    }
}
