package io.sluice.handover;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.proxy.ConnectionImage;
import java.util.List;
import java.util.Map;

/** The JSON bodies of the handover protocol's frames (docs/handover.md lists them in order). */
public final class Messages {

    private Messages() {}

    /** New → old, first frame of the control connection. */
    public record Hello(String protocol, int version, long pid) {}

    /** Old → new: accepted; {@code session} names this handover for the descriptor connection's ATTACH. */
    public record Welcome(String protocol, int version, long pid, String session) {}

    /** Either way: refused or failed; the sender closes after it. */
    public record Refused(String error) {}

    /** New → old, first frame of the descriptor connection. */
    public record Attach(String session) {}

    /** Old → new: stick tables and admin overrides (sent before the listeners, and again at the end). */
    public record State(List<StickEntry> stick, Map<String, JsonNode> overrides) {}

    /** One stick-table entry; {@code key} is the sticky key's bytes. */
@SuppressWarnings("ArrayRecordComponent") // bytes in transit: never compared or hashed
    public record StickEntry(String pool, byte[] key, String backend, long idleMillis) {}

    /** Old → new: its listening sockets; their descriptors follow in this order. */
    public record Listeners(List<OfferedSocket> sockets) {}

    /** @param kind "proxy" (a listener) or "admin" */
    public record OfferedSocket(String name, String kind, String address) {}

    /** New → old: the sockets it now accepts on (by name; the admin socket as "admin"). */
    public record ListenersTaken(List<String> names) {}

    /** Old → new: connections; descriptors follow (client, then backend when established). */
    public record Batch(long batch, List<ConnectionImage> connections) {}

    /** New → old: which it now owns, and which it refused (the old one keeps those). */
    public record Ack(long batch, List<Long> adopted, List<Refusal> refused) {}

    public record Refusal(long id, String why) {}

    /** Old → new: nothing more to hand over; {@code kept} connections stay with the old process to drain. */
    public record Done(int handedOver, int kept) {}

    /** New → old: done too; every adopted connection is being served, after a pause of at most this long. */
    public record Bye(long longestPauseMillis) {}
}
