/**
 * Issue 4's broadcast hub: topics with subscribers, one buffer per published message shared by all of them, and a
 * bounded send queue per subscriber drained by its own virtual thread, so a slow subscriber costs only itself.
 *
 * <ul>
 *   <li>{@link dev.streamlab.websocket.hub.Hub}: subscribe, publish, counters; topics come and go with their
 *       subscribers.</li>
 *   <li>{@link dev.streamlab.websocket.hub.Subscription}: one subscriber's queue and sender thread, and the exact
 *       semantics of the three {@link dev.streamlab.websocket.hub.Overflow} policies (drop-oldest, skip-to-marked,
 *       disconnect with 1008 or 1013).</li>
 *   <li>{@link dev.streamlab.websocket.hub.HubMessage}: a message as a read-only view, text or binary, marked or
 *       not; {@link dev.streamlab.websocket.hub.HubSink}: where a subscriber's messages go (a WebSocket, or memory
 *       in the tests and the benchmark).</li>
 *   <li>{@link dev.streamlab.websocket.hub.TopicEndpoint}: {@code /ws/topic/{name}}, the hub over WebSockets, and
 *       its tiny protocol.</li>
 * </ul>
 *
 * <p>Copies per published byte, in user space: none per subscriber (each gets a {@code duplicate()} of the one
 * buffer); one per message a WebSocket client publishes (out of the session's reused read buffer). How we know:
 * {@code HubZeroCopyTest} (the views share the publisher's memory; bytes allocated per publish stay ~150 whether
 * the payload is 1 KiB or 1 MiB), {@code HubFanoutBenchmark} ({@code -prof gc}: a copy per subscriber against views,
 * 1 to 1,000 subscribers), and {@code streamlab_ws_hub_copies_per_byte} at {@code /metrics}.
 *
 * <p>Try it: {@code ./lab run phase3}, then open {@code ws://127.0.0.1:8080/ws/topic/demo} in two WebSocket clients
 * and type into one. Then run {@code StalledSubscriberTest} and read its output: three fast subscribers get 30 MiB
 * each in tens of milliseconds while a fourth reads nothing, and what that fourth gets afterwards under each policy.
 */
package dev.streamlab.websocket.hub;
