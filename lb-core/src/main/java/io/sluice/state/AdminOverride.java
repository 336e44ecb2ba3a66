package io.sluice.state;

import io.sluice.backend.AdminState;
import java.time.Instant;

/**
 * An operator's decision about one backend that must outlive a restart.
 *
 * @param admin         READY (no admin override), DRAIN or MAINT
 * @param weight        the weight override, or null
 * @param drainDeadline when remaining connections get closed, or null
 * @param closeRate     connections per second to close at the deadline, or null (pool default)
 * @param reason        the reason text given with a drain, or null
 */
public record AdminOverride(AdminState admin, Integer weight, Instant drainDeadline, Double closeRate, String reason) {

    /** An override without a reason text. */
    public AdminOverride(AdminState admin, Integer weight, Instant drainDeadline, Double closeRate) {
        this(admin, weight, drainDeadline, closeRate, null);
    }

    public static final AdminOverride NONE = new AdminOverride(AdminState.READY, null, null, null);

    /** Whether this override says nothing (and need not be stored). */
    public boolean isNone() {
        return admin == AdminState.READY && weight == null;
    }
}
