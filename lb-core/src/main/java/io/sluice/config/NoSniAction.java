package io.sluice.config;

/** What a {@code mode: tls} listener does with a ClientHello that names no server (no SNI extension). */
public enum NoSniAction {
    /** Send the connection to the listener's {@code default-pool}; closed if there is none. */
    DEFAULT("default"),
    /** Close the connection. */
    REJECT("reject");

    private final String yamlName;

    NoSniAction(String yamlName) {
        this.yamlName = yamlName;
    }

    /** The spelling used in the YAML file. */
    public String yamlName() {
        return yamlName;
    }
}
