package io.sluice.yaml;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A configuration could not be loaded. Carries every error found, not just the first, so an operator
 * can fix a file in one pass.
 */
public final class ConfigException extends Exception {

    private static final long serialVersionUID = 1L;

    private final List<ConfigError> errors;

    /** @param errors at least one error, in the order they should be shown */
    public ConfigException(List<ConfigError> errors) {
        super(errors.stream().map(ConfigError::toString).collect(Collectors.joining("\n")));
        if (errors.isEmpty()) {
            throw new IllegalArgumentException("a ConfigException needs at least one error");
        }
        this.errors = List.copyOf(errors);
    }

    /** Every error found, sorted by line; never empty. */
    public List<ConfigError> errors() {
        return errors;
    }
}
