package io.sluice.adminapi;

/**
 * What became of an admin change in the override store, in the answer to the change
 * ({@code shared_store} of a backend action; null in listings).
 *
 * @param state  "stored" (in the shared store: every node has it), "local" (a local state file: this
 *               node only, by configuration), "queued" (applied on this node; not yet in the shared
 *               store: other nodes do not have it) or "lost" (another node's write won; its value is
 *               in force here too)
 * @param detail one sentence for people
 */
public record StoreWriteView(String state, String detail) {

    public static final String QUEUED_DETAIL = "applied on this node; not yet in the shared store: other nodes do not have it";
}
