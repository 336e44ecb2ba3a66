package io.sluice.discovery.consul;

import io.sluice.discovery.DiscoveredBackend;
import io.sluice.discovery.DiscoveryListener;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Records what a discovery source said, and on which threads. */
final class RecordingListener implements DiscoveryListener {

    record Connectivity(boolean healthy, String detail) {
    }

    final List<List<DiscoveredBackend>> snapshots = new CopyOnWriteArrayList<>();
    final List<Connectivity> connectivity = new CopyOnWriteArrayList<>();
    final List<String> threads = new CopyOnWriteArrayList<>();

    @Override
    public void snapshot(String pool, List<DiscoveredBackend> backends) {
        threads.add(Thread.currentThread().getName());
        snapshots.add(backends);
    }

    @Override
    public void connectivity(String pool, boolean healthy, String detail) {
        threads.add(Thread.currentThread().getName());
        connectivity.add(new Connectivity(healthy, detail));
    }

    Optional<List<DiscoveredBackend>> last() {
        return snapshots.isEmpty() ? Optional.empty() : Optional.of(snapshots.get(snapshots.size() - 1));
    }

    /** The last snapshot by backend name (empty before the first). */
    Map<String, DiscoveredBackend> current() {
        return last().orElse(List.of()).stream()
                .collect(Collectors.toMap(DiscoveredBackend::name, Function.identity()));
    }
}
