package io.sluice.daemon;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * SIGTERM and SIGINT as events the main thread waits for, instead of a JVM shutdown hook.
 *
 * <p>A shutdown hook would make the JVM exit with 143 after a graceful stop; handling the signals
 * lets {@code sluice run} finish its shutdown order and exit 0, as service managers expect.
 */
public final class ShutdownSignals {

    private static final Logger log = LoggerFactory.getLogger(ShutdownSignals.class);

    private final CountDownLatch first = new CountDownLatch(1);
    private final AtomicBoolean firstSeen = new AtomicBoolean();
    private final AtomicReference<Runnable> next = new AtomicReference<>(() -> {});
    private final AtomicReference<Runnable> reload = new AtomicReference<>(() -> {});

    private ShutdownSignals() {}

    public static ShutdownSignals install() {
        ShutdownSignals signals = new ShutdownSignals();
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                Signal.handle(new Signal(name), signals::received);
            } catch (IllegalArgumentException e) {
                log.warn("cannot handle SIG{} here: {}", name, e.getMessage());
            }
        }
        try {
            Signal.handle(new Signal("HUP"), sig -> {
                log.info("Received SIGHUP: reloading the configuration");
                signals.reload.get().run();
            });
        } catch (IllegalArgumentException e) {
            log.warn("cannot handle SIGHUP here: {}", e.getMessage());
        }
        return signals;
    }

    /** What SIGHUP does (reload); runs on the signal thread, so it must not take long or throw. */
    public void onReload(Runnable action) {
        reload.set(action);
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
