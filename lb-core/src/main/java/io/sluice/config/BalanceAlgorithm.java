package io.sluice.config;

/** How a pool chooses a backend for a new connection. */
public enum BalanceAlgorithm {
    /** Weighted rotation through the backends. */
    ROUND_ROBIN("round-robin"),
    /** Fewest open connections relative to weight. */
    LEAST_CONN("least-conn"),
    /** Consistent hashing of the client's sticky key over a Maglev lookup table. */
    MAGLEV("maglev"),
    /** Two random backends, the one with fewer connections relative to weight wins. */
    RANDOM_TWO("random-two");

    private final String yamlName;

    BalanceAlgorithm(String yamlName) {
        this.yamlName = yamlName;
    }

    /** The spelling used in the YAML file. */
    public String yamlName() {
        return yamlName;
    }
}
