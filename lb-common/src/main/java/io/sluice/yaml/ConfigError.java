package io.sluice.yaml;

import java.util.Objects;

/**
 * One problem found in a configuration file, pointing at where it is.
 *
 * @param file    the file name given to the loader, as the operator typed it
 * @param line    1-based line of the offending YAML node; 0 when the problem concerns the whole file
 *                (unreadable, empty)
 * @param key     dotted path of the offending key, like {@code pools.chat.backends[0].weight}; empty
 *                when the problem concerns the whole document
 * @param message what is wrong and what was expected
 */
public record ConfigError(String file, int line, String key, String message) {

    public ConfigError {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(message, "message");
    }

    /** {@code file:line: key: message}, the format of {@code sluice check}; the key part is left out when empty. */
    @Override
    public String toString() {
        return key.isEmpty()
                ? file + ":" + line + ": " + message
                : file + ":" + line + ": " + key + ": " + message;
    }
}
