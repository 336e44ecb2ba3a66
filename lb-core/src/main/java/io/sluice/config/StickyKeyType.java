package io.sluice.config;

/** What identifies a client for stickiness (Maglev hashing and the stick table). */
public enum StickyKeyType {
    /** The full source address. */
    SOURCE_IP("source-ip"),
    /** The source network: the address cut to {@code prefix-v4} / {@code prefix-v6} bits. */
    SOURCE_PREFIX("source-prefix"),
    /** No stickiness. */
    NONE("none");

    private final String yamlName;

    StickyKeyType(String yamlName) {
        this.yamlName = yamlName;
    }

    /** The spelling used in the YAML file. */
    public String yamlName() {
        return yamlName;
    }
}
