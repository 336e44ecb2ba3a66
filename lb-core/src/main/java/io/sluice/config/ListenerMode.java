package io.sluice.config;

/** How a listener treats accepted connections. */
public enum ListenerMode {
    /** Relay bytes unchanged to the listener's pool. */
    TCP("tcp"),
    /**
     * Read the TLS ClientHello (without terminating TLS), choose a pool by its SNI and ALPN
     * ({@link TlsListenerConfig}), then relay bytes unchanged, the ClientHello included.
     */
    TLS("tls");

    private final String yamlName;

    ListenerMode(String yamlName) {
        this.yamlName = yamlName;
    }

    /** The spelling used in the YAML file. */
    public String yamlName() {
        return yamlName;
    }
}
