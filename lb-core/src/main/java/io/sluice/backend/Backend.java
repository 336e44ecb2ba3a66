package io.sluice.backend;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * One server a pool can send connections to: its identity, the weight balancers use in the current
 * pool snapshot, and its live state and counters.
 *
 * <p>Identity is the backend's stable {@code name}: balancers order and hash backends by name, never
 * by list or discovery order, so two nodes with the same backend set make the same choices, and
 * {@link #equals} is by name. A snapshot rebuild makes new {@code Backend} objects (another address,
 * configured weight or effective weight) that share one {@link State}: counters, health and admin
 * state survive re-weighting, slow start and reloads.
 *
 * <p>Thread-safety: counters are updated from any event loop; the state is written only by the
 * daemon's control thread and read anywhere (volatile fields); everything else is immutable.
 */
public final class Backend {

    private final String name;
    private final InetSocketAddress address;
    private final int configuredWeight;
    private final int weight;
    private final State state;

    public Backend(String name, InetSocketAddress address, int weight) {
        this(name, address, weight, weight, new State());
    }

    private Backend(String name, InetSocketAddress address, int configuredWeight, int weight, State state) {
        this.name = Objects.requireNonNull(name, "name");
        this.address = Objects.requireNonNull(address, "address");
        if (weight < 0 || configuredWeight < 0) {
            throw new IllegalArgumentException("weight: " + weight + " (expected >= 0)");
        }
        this.configuredWeight = configuredWeight;
        this.weight = weight;
        this.state = state;
    }

    /** The same backend (state and counters shared) with another address and configured weight. */
    public Backend withSettings(InetSocketAddress newAddress, int newConfiguredWeight) {
        return new Backend(name, newAddress, newConfiguredWeight, newConfiguredWeight, state);
    }

    /** The same backend with the weight a balancer should use in one snapshot (override, slow start). */
    public Backend withEffectiveWeight(int effective) {
        return new Backend(name, address, configuredWeight, effective, state);
    }

    public String name() {
        return name;
    }

    public InetSocketAddress address() {
        return address;
    }

    /** The weight balancers use in this snapshot; 0 takes no new connections. */
    public int weight() {
        return weight;
    }

    /** The weight from the config (before overrides and slow start). */
    public int configuredWeight() {
        return configuredWeight;
    }

    /** Live state and counters, shared by every snapshot's copy of this backend. */
    public State state() {
        return state;
    }

    /** Connections open to this backend now (established relays, not pending connects). */
    public int activeConnections() {
        return state.active.get();
    }

    /** Connections ever established to this backend. */
    public long totalConnections() {
        return state.total.sum();
    }

    /** Called once when a relay to this backend is established. */
    public void connectionOpened() {
        state.active.incrementAndGet();
        state.total.increment();
    }

    /** Called once when a relay that {@link #connectionOpened() opened} closes, with its byte counts. */
    public void connectionClosed(long bytesUp, long bytesDown) {
        state.active.decrementAndGet();
        state.bytesUp.add(bytesUp);
        state.bytesDown.add(bytesDown);
    }

    /** Called once when a relay that {@link #connectionOpened() opened} closes. */
    public void connectionClosed() {
        connectionClosed(0, 0);
    }

    /** Backends are equal by name: the same server across snapshot rebuilds of one pool. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Backend other && name.equals(other.name);
    }

    @Override
    public int hashCode() {
        return name.hashCode();
    }

    @Override
    public String toString() {
        return name + "(" + address.getHostString() + ":" + address.getPort() + ", weight " + weight + ")";
    }

    /**
     * A backend's mutable state. Counters: any thread. Everything else: written by the control thread
     * only (single writer), read anywhere.
     */
    public static final class State {
        private final AtomicInteger active = new AtomicInteger();
        private final LongAdder total = new LongAdder();
        private final LongAdder bytesUp = new LongAdder();
        private final LongAdder bytesDown = new LongAdder();
        private final LongAdder connectFailures = new LongAdder();
        private final LongAdder retries = new LongAdder();
        private final LongAdder checksPassed = new LongAdder();
        private final LongAdder checksFailed = new LongAdder();

        private volatile boolean up = true;
        private volatile AdminState admin = AdminState.READY;
        private volatile Integer weightOverride;
        private volatile Instant drainDeadline;
        private volatile Instant since = Instant.now();
        private volatile String cause = "start";
        private volatile Instant lastCheck;
        private volatile String lastCheckResult;
        /** Drained because the registry says so (maintenance, critical, gone); independent of the admin state. */
        private volatile String registryDrain;
        /** Who, when, why and until when of the registry's drain; null when it does not drain. */
        private volatile DrainMark registryMark;
        /** Who, when and why of the admin state (meaningful while it is not READY). */
        private volatile DrainMark adminMark = new DrainMark("start", Instant.now(), null, null);
        /** When health last changed (up to down or back); null: never since start. */
        private volatile Instant healthSince;
        /** Total time down before the current down period, and when that period started (null: up). */
        private volatile long downMillisBefore;
        private volatile Instant downSince;
        /** System.nanoTime() when it last became eligible after being out; 0: never ramped. */
        private volatile long eligibleSinceNanos;

        public boolean up() {
            return up;
        }

        public AdminState admin() {
            return admin;
        }

        /** The admin weight override, or null. */
        public Integer weightOverride() {
            return weightOverride;
        }

        public Instant drainDeadline() {
            return drainDeadline;
        }

        public Instant since() {
            return since;
        }

        public String cause() {
            return cause;
        }

        public Instant lastCheck() {
            return lastCheck;
        }

        public String lastCheckResult() {
            return lastCheckResult;
        }

        /** Why the registry drains this backend, or null when it does not. */
        public String registryDrain() {
            return registryDrain;
        }

        /**
         * Control thread: the registry drains it ({@code why} non-null) as {@code by} said, for
         * {@code reason}, until {@code deadline} (null: no deadline); or no longer ({@code why} null).
         * A drain already under way keeps its start time and deadline.
         */
        public void registryDrain(String why, String by, String reason, Instant deadline) {
            DrainMark old = registryMark;
            if (why == null) {
                registryMark = null;
            } else {
                boolean same = Objects.equals(this.registryDrain, why) && old != null;
                registryMark = new DrainMark(by == null ? "registry" : by, same ? old.since() : Instant.now(), reason,
                        same && deadline == null ? old.deadline() : deadline);
            }
            if (!Objects.equals(this.registryDrain, why)) {
                this.registryDrain = why;
                changed(why == null ? "discovery: back in the registry" : why);
            }
        }

        /** The registry's drain: who, when, why, deadline; null when the registry does not drain it. */
        public DrainMark registryMark() {
            return registryMark;
        }

        /** The operator's drain (admin state DRAIN or MAINT): who, when, why, deadline; null when READY. */
        public DrainMark operatorMark() {
            DrainMark m = adminMark;
            return admin == AdminState.READY ? null : new DrainMark(m.by(), m.since(), m.reason(), drainDeadline);
        }

        /** When health last changed, or null when it has not since start. */
        public Instant healthSince() {
            return healthSince;
        }

        /** Time spent down since start, the current down period included. */
        public Duration downtime(Instant now) {
            Instant d = downSince;
            return Duration.ofMillis(downMillisBefore + (d == null ? 0 : Math.max(0, now.toEpochMilli() - d.toEpochMilli())));
        }

        /** Connect attempts to this backend that failed (refused, timed out, reset). */
        public long connectFailures() {
            return connectFailures.sum();
        }

        /** Clients tried on another backend after this one failed to connect. */
        public long retries() {
            return retries.sum();
        }

        /** Any event loop: a connect failed; {@code retried}: the client is tried on another backend. */
        public void connectFailed(boolean retried) {
            connectFailures.increment();
            if (retried) {
                retries.increment();
            }
        }

        public long checksPassed() {
            return checksPassed.sum();
        }

        public long checksFailed() {
            return checksFailed.sum();
        }

        public long eligibleSinceNanos() {
            return eligibleSinceNanos;
        }

        public long bytesUp() {
            return bytesUp.sum();
        }

        public long bytesDown() {
            return bytesDown.sum();
        }

        /** Control thread. */
        public void health(boolean nowUp, String why) {
            if (nowUp != this.up) {
                Instant now = Instant.now();
                healthSince = now;
                if (nowUp) {
                    Instant d = downSince;
                    long before = downMillisBefore; // single writer (control thread): read, then publish
                    downMillisBefore = before + (d == null ? 0 : Math.max(0, now.toEpochMilli() - d.toEpochMilli()));
                    downSince = null;
                } else {
                    downSince = now;
                }
            }
            this.up = nowUp;
            changed(why);
        }

        /** Control thread. */
        public void admin(AdminState state, Instant deadline, String why) {
            admin(state, deadline, why, null);
        }

        /** Control thread: the operator's state, set by {@code why} (who) for {@code reason} (or null). */
        public void admin(AdminState state, Instant deadline, String why, String reason) {
            this.adminMark = new DrainMark(why, Instant.now(), reason, deadline);
            this.admin = state;
            this.drainDeadline = deadline;
            changed(why);
        }

        /** Control thread; null clears the override. */
        public void weightOverride(Integer weight, String why) {
            this.weightOverride = weight;
            changed(why);
        }

        /** Health checker callbacks (any thread; last write wins, informational). */
        public void checked(Instant at, String result) {
            this.lastCheck = at;
            this.lastCheckResult = result;
            ("ok".equals(result) ? checksPassed : checksFailed).increment();
        }

        /** Control thread: the backend became eligible again at {@code nanos} (slow start starts). */
        public void eligibleSince(long nanos) {
            this.eligibleSinceNanos = nanos;
        }

        private void changed(String why) {
            this.since = Instant.now();
            this.cause = why;
        }
    }
}
