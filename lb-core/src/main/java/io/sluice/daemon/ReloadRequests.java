package io.sluice.daemon;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Reloads asked for by SIGHUP, and who carries them out. A reload asked for before the daemon has
 * one to run (it is still starting: its listeners may already answer) is kept and runs once the
 * daemon sets its action, instead of doing nothing: an operator who edits the config and sends
 * SIGHUP as soon as the port answers gets the new config.
 *
 * <p>Thread-safe: the signal thread asks, the main thread sets the action. Exactly one of them runs
 * a pending request (both claim it with one atomic swap).
 */
final class ReloadRequests {

    private final AtomicBoolean pending = new AtomicBoolean();
    private final AtomicReference<Runnable> action = new AtomicReference<>();

    /** A reload is asked for; true if it ran now, false if it waits for {@link #handleWith}. */
    boolean requested() {
        pending.set(true);
        Runnable reload = action.get();
        if (reload == null) {
            return false;
        }
        if (pending.getAndSet(false)) {
            reload.run();
        }
        return true;
    }

    /** From now on {@code reload} carries out requests, starting with one that came before. */
    void handleWith(Runnable reload) {
        action.set(reload);
        if (pending.getAndSet(false)) {
            reload.run();
        }
    }
}
