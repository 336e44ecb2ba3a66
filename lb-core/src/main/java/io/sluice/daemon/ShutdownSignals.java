package io.sluice.daemon;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGTERM and SIGINT as events the main thread waits for, instead of a JVM shutdown hook.
 *
 * <p>A shutdown hook would make the JVM exit with 143 after a graceful stop; handling the signals
 * lets {@code sluice run} finish its shutdown order and exit 0, as service managers expect.
 *
 * <p>A signal the process was started with ignored ({@code nohup} ignores SIGHUP, a shell ignores
 * SIGINT for its background jobs) stays ignored: the JVM does not install a handler for it and says
 * nothing. Left unsaid, SIGHUP would then reload nothing while the operator believes it did; so the
 * daemon says so at start, and the launcher ({@code conf/sluice}) restores SIGHUP before it starts
 * the JVM.
 */
public final class ShutdownSignals {

    private static final Logger log = LoggerFactory.getLogger(ShutdownSignals.class);

    private final CountDownLatch first = new CountDownLatch(1);
    private final AtomicBoolean firstSeen = new AtomicBoolean();
    private final AtomicReference<Runnable> next = new AtomicReference<>(() -> {});
    private final ReloadRequests reloads = new ReloadRequests();

    private ShutdownSignals() {}

    public static ShutdownSignals install() {
        ShutdownSignals signals = new ShutdownSignals();
        for (String name : new String[] {"TERM", "INT"}) {
            if (handle(name, signals::received)) {
                log.warn("SIG{} is ignored in this process (it was started with SIG{} ignored): SIG{} will not stop it",
                        name, name, name);
            }
        }
        boolean hupIgnored = handle("HUP", sig -> {
            log.info("Received SIGHUP: reloading the configuration");
            if (!signals.reloads.requested()) {
                log.info("The daemon is still starting: the reload runs as soon as it has started");
            }
        });
        if (hupIgnored) {
            log.warn("SIGHUP is ignored in this process (it was started with SIGHUP ignored, as nohup does): "
                    + "SIGHUP will not reload the configuration. Reload with `sluicectl reload`, or start Sluice "
                    + "through its launcher, which restores SIGHUP");
        }
        return signals;
    }

    /** Installs {@code handler} for SIG{@code name}; true when the process ignores that signal, so it never runs. */
    private static boolean handle(String name, SignalHandler handler) {
        try {
            return Signal.handle(new Signal(name), handler) == SignalHandler.SIG_IGN;
        } catch (IllegalArgumentException e) {
            log.warn("cannot handle SIG{} here: {}", name, e.getMessage());
            return false;
        }
    }

    /**
     * What SIGHUP does (reload); runs on the signal thread, so it must not take long or throw. A
     * SIGHUP that came before (during start-up) runs it now, on the calling thread.
     */
    public void onReload(Runnable action) {
        reloads.handleWith(action);
    }

    private void received(Signal signal) {
        if (firstSeen.compareAndSet(false, true)) {
            // The signal also as a key-value pair: in the JSON daemon log it is a field of its own ("signal":"TERM").
            log.atInfo().addKeyValue("signal", signal.getName())
                    .log("Received SIG{}: shutting down gracefully (send it again to close connections now)", signal.getName());
            first.countDown();
        } else {
            log.info("Received SIG{} again: closing remaining connections now", signal.getName());
            next.get().run();
        }
    }

    /** Ends {@link #awaitFirst} as a signal would, for {@code why} (a finished handover). */
    public void trigger(String why) {
        if (firstSeen.compareAndSet(false, true)) {
            log.info("{}: shutting down gracefully", why);
            first.countDown();
        }
    }

    /** Blocks until the first TERM or INT. */
    public void awaitFirst() {
        try {
            first.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** What a second signal does. */
    public void onNext(Runnable action) {
        next.set(action);
    }
}
