package io.sluice.registration;

/**
 * What a Sluice instance registered in Consul carries besides Consul's own fields: the agent writes it,
 * the daemon's Consul discovery reads it.
 */
public final class ConsulServiceMeta {

    /**
     * The service meta key holding the weight (0..1000, as decimal text). The daemon reads it only when
     * Consul gives no {@code Weights} (Consul before 1.2.3, or a proxy of it); the agent writes both.
     */
    public static final String WEIGHT_KEY = "sluice-weight";

    private ConsulServiceMeta() {
    }
}
