package io.sluice.agent.config;

import io.sluice.yaml.ConfigError;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A bad or unreadable agent configuration. From the loader it carries every error found in the file
 * ({@link #errors()}, each {@code file:line: key: message}); other callers give one message.
 */
public final class ConfigException extends Exception {

    private static final long serialVersionUID = 1L;

    private final List<ConfigError> errors;

    public ConfigException(String message) {
        super(message);
        this.errors = List.of();
    }

    /** @param errors at least one, in the order they are shown */
    public ConfigException(List<ConfigError> errors) {
        super(errors.stream().map(ConfigError::toString).collect(Collectors.joining("\n")));
        this.errors = List.copyOf(errors);
    }

    /** The file's errors by line; empty when the problem is not one of the file's. */
    public List<ConfigError> errors() {
        return errors;
    }

    /** The lines to print, one per error. */
    public List<String> lines() {
        return errors.isEmpty() ? List.of(getMessage()) : errors.stream().map(ConfigError::toString).toList();
    }
}
