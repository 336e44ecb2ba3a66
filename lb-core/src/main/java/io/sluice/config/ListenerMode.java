package io.sluice.config;

/** How a listener treats accepted connections. Only plain TCP relaying exists today; TLS comes later. */
public enum ListenerMode {
    /** Relay bytes unchanged to the chosen backend. */
    TCP("tcp");

    private final String yamlName;

    ListenerMode(String yamlName) {
        this.yamlName = yamlName;
    }

    /** The spelling used in the YAML file. */
    public String yamlName() {
        return yamlName;
    }
}
