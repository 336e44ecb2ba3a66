package io.sluice.discovery.zookeeper;

import io.sluice.discovery.DiscoveredBackend;
import io.sluice.discovery.DiscoveryListener;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records every call in order, with the calling thread's name. */
final class RecordingListener implements DiscoveryListener {

    sealed interface Event permits Snapshot, Connectivity {}

    record Snapshot(String pool, List<DiscoveredBackend> backends, String thread) implements Event {}

    record Connectivity(String pool, boolean healthy, String detail) implements Event {}

    final List<Event> events = new CopyOnWriteArrayList<>();

    @Override
    public void snapshot(String pool, List<DiscoveredBackend> backends) {
        events.add(new Snapshot(pool, List.copyOf(backends), Thread.currentThread().getName()));
    }

    @Override
    public void connectivity(String pool, boolean healthy, String detail) {
        events.add(new Connectivity(pool, healthy, detail));
    }

    /** The last snapshot as a set, or null before the first. */
    Set<DiscoveredBackend> lastSet() {
        for (int i = events.size() - 1; i >= 0; i--) {
            if (events.get(i) instanceof Snapshot s) {
                return new HashSet<>(s.backends());
            }
        }
        return null;
    }

    List<Snapshot> snapshots() {
        return events.stream().filter(Snapshot.class::isInstance).map(Snapshot.class::cast).toList();
    }

    List<Connectivity> connectivity() {
        return events.stream().filter(Connectivity.class::isInstance).map(Connectivity.class::cast).toList();
    }
}
