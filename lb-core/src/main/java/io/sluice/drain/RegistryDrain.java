package io.sluice.drain;

/**
 * Why a registry drains a backend, independent of the operator's admin state: new connections
 * stop at once; critical and gone backends also get the pool's drain deadline, after which what is
 * left is closed (an instance in maintenance mode is expected back, so its connections run on).
 */
public enum RegistryDrain {
    MAINTENANCE("discovery: maintenance mode", false),
    CRITICAL("discovery: critical", true),
    GONE("discovery: gone from the registry", true);

    private final String cause;
    private final boolean withDeadline;

    RegistryDrain(String cause, boolean withDeadline) {
        this.cause = cause;
        this.withDeadline = withDeadline;
    }

    /** The cause as the backend's state, the admin API and the log show it. */
    public String cause() {
        return cause;
    }

    /** Whether the pool's drain deadline applies. */
    public boolean withDeadline() {
        return withDeadline;
    }
}
