package io.sluice.agent.config;

/** A bad or unreadable agent configuration; the message names the file, line and key where known. */
public final class ConfigException extends Exception {

    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }
}
