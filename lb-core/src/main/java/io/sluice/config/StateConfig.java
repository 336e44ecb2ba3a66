package io.sluice.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where admin overrides (drain, maint, weight) are kept so they survive a restart.
 *
 * @param store only {@code local} for now (a JSON file); zookeeper and consul come with discovery
 * @param file  the local state file; default: the config file's name + {@code .state.json}, beside it
 */
public record StateConfig(String store, Path file) {

    public StateConfig {
        Objects.requireNonNull(store, "store");
    }
}
