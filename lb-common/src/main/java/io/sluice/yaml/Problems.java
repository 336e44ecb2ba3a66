package io.sluice.yaml;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Collects the errors of one file. Reading goes on after an error so that one run reports them all.
 * Owned by the one thread reading the file; not thread-safe.
 */
public final class Problems {

    private final String file;
    private final List<ConfigError> errors = new ArrayList<>();

    public Problems(String file) {
        this.file = file;
    }

    public void add(int line, String key, String message) {
        errors.add(new ConfigError(file, line, key, message));
    }

    public boolean isEmpty() {
        return errors.isEmpty();
    }

    public int size() {
        return errors.size();
    }

    /** The errors by line; errors on one line keep the order they were found in (the sort is stable). */
    public List<ConfigError> sorted() {
        List<ConfigError> copy = new ArrayList<>(errors);
        copy.sort(Comparator.comparingInt(ConfigError::line));
        return copy;
    }

    public ConfigException toException() {
        return new ConfigException(sorted());
    }
}
