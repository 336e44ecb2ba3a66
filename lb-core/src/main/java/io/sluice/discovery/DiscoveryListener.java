package io.sluice.discovery;

import java.util.List;

/**
 * Receives a discovery source's view of one pool. Implemented by the daemon, which applies it on its
 * control thread. Called from the source's own threads; must not block.
 */
public interface DiscoveryListener {

    /**
     * The complete current set for {@code pool} from this source (not a delta). Consecutive updates
     * may be coalesced by the source; the daemon diffs against the previous set itself.
     */
    void snapshot(String pool, List<DiscoveredBackend> backends);

    /**
     * The source lost its registry (or got it back: {@code healthy} true). Called once per state
     * change, not per retry; the daemon keeps routing on the last set meanwhile.
     */
    void connectivity(String pool, boolean healthy, String detail);
}
