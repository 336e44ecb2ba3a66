package io.sluice.state;

/** What became of one change given to {@link OverrideStore#put}. */
public enum StoreWrite {
    /** In the store: the local state file, or the shared store every node follows. */
    STORED,
    /** Applied on this node; not yet in the shared store (unreachable, or the write is still under way). */
    QUEUED,
    /** Another node wrote the key after this change was made and before it reached the store: theirs won. */
    LOST
}
