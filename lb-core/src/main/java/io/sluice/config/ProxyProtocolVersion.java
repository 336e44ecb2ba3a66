package io.sluice.config;

/** Whether, and in which version, a pool sends a PROXY protocol header to its backends. */
public enum ProxyProtocolVersion {
    /** No header: the backend sees Sluice's address as the client. */
    OFF("off"),
    /** The human-readable text header ({@code PROXY TCP4 ...\r\n}). */
    V1("v1"),
    /** The binary header. */
    V2("v2");

    private final String yamlName;

    ProxyProtocolVersion(String yamlName) {
        this.yamlName = yamlName;
    }

    /** The spelling used in the YAML file. */
    public String yamlName() {
        return yamlName;
    }
}
