package io.sluice.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admin overrides kept in a local JSON file ({@code state.store: local}), so a drain or a weight
 * change survives a restart. The fleet-wide stores (ZooKeeper, Consul) come with discovery.
 *
 * <p>Written on every change with write-to-temp-then-rename, so a crash never leaves half a file.
 * Control thread only. A missing file is an empty store; an unreadable one is logged and ignored
 * (the daemon must start; overrides can be re-applied), never fatal.
 *
 * <pre>{"version":1,"overrides":{"chat/app-1":{"admin":"drain","weight":50,"drain_deadline":"...","close_rate":100}}}</pre>
 */
public final class LocalOverrideStore implements OverrideStore {

    private static final Logger log = LoggerFactory.getLogger(LocalOverrideStore.class);
    private static final ObjectMapper json = new ObjectMapper();

    private final Path file;
    private final Map<String, AdminOverride> overrides = new TreeMap<>();

    private LocalOverrideStore(Path file) {
        this.file = file;
    }

    /** Opens the store at {@code file} (null: in memory only, nothing survives a restart). */
    public static LocalOverrideStore open(Path file) {
        LocalOverrideStore store = new LocalOverrideStore(file);
        if (file != null && Files.isRegularFile(file)) {
            try {
                store.read(json.readTree(file.toFile()));
            } catch (IOException | RuntimeException e) {
                log.warn("Ignoring unreadable state file {}: {} (admin overrides from before the restart are lost)",
                        file, e.getMessage());
            }
        }
        return store;
    }

    public Path file() {
        return file;
    }

    @Override
    public AdminOverride get(String pool, String backend) {
        return overrides.getOrDefault(OverrideJson.key(pool, backend), AdminOverride.NONE);
    }

    @Override
    public Map<String, AdminOverride> all() {
        return Map.copyOf(overrides);
    }

    @Override
    public CompletableFuture<StoreWrite> put(String pool, String backend, AdminOverride override) {
        if (override.isNone()) {
            overrides.remove(OverrideJson.key(pool, backend));
        } else {
            overrides.put(OverrideJson.key(pool, backend), override);
        }
        write();
        return CompletableFuture.completedFuture(StoreWrite.STORED);
    }

    /** A file on this node: nothing is ever queued or lost. */
    @Override
    public StoreStatus status() {
        return StoreStatus.local();
    }

    /** A local file has no other writers: nothing to watch. */
    @Override
    public void watch(Listener listener) {
    }

    @Override
    public void close() {
    }

    private void read(JsonNode root) {
        JsonNode all = root.path("overrides");
        for (Iterator<Map.Entry<String, JsonNode>> it = all.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            overrides.put(e.getKey(), OverrideJson.fromNode(e.getValue()));
        }
    }

    private void write() {
        if (file == null) {
            return;
        }
        ObjectNode root = json.createObjectNode();
        root.put("version", 1);
        ObjectNode all = root.putObject("overrides");
        Map<String, AdminOverride> sorted = new LinkedHashMap<>(overrides);
        sorted.forEach((k, o) -> all.set(k, OverrideJson.toNode(o)));
        try {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            json.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), root);
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            log.error("Cannot write state file {}: {} (the override applies now but will not survive a restart)",
                    file, e.getMessage());
        }
    }
}
