package io.sluice.config;

/** How a pool's backends are actively checked. */
public enum HealthCheckType {
    /** A TCP connect that succeeds within the timeout. */
    TCP("tcp"),
    /** An HTTP/1.1 GET whose status is in the expected range. */
    HTTP("http"),
    /** A complete TLS handshake (no data sent); certificate verified only when configured. */
    TLS_HELLO("tls-hello"),
    /** No active checks: backends are UP unless passive ejection says otherwise. */
    NONE("none");

    private final String yamlName;

    HealthCheckType(String yamlName) {
        this.yamlName = yamlName;
    }

    public String yamlName() {
        return yamlName;
    }
}
