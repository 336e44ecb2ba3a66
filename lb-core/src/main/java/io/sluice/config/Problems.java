package io.sluice.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Collects the errors of one file. Reading goes on after an error so that one run reports them all.
 */
final class Problems {

    private final String file;
    private final List<ConfigError> errors = new ArrayList<>();

    Problems(String file) {
        this.file = file;
    }

    void add(int line, String key, String message) {
        errors.add(new ConfigError(file, line, key, message));
    }

    boolean isEmpty() {
        return errors.isEmpty();
    }

    int size() {
        return errors.size();
    }

    /** The errors by line; errors on one line keep the order they were found in (the sort is stable). */
    List<ConfigError> sorted() {
        List<ConfigError> copy = new ArrayList<>(errors);
        copy.sort(Comparator.comparingInt(ConfigError::line));
        return copy;
    }

    ConfigException toException() {
        return new ConfigException(sorted());
    }
}
