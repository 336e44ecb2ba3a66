package io.sluice.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;
import org.slf4j.helpers.MessageFormatter;

/**
 * Keeps the ZooKeeper and Curator clients' own logging to one line per state change instead of
 * a few lines and a stack trace per reconnect attempt (about 240 lines, 210 of them stack trace, per
 * node in a 30 s outage without it).
 *
 * <ul>
 *   <li>Curator's {@code ConnectionStateManager} ("State change: SUSPENDED") passes: it logs once
 *       per state change. So do Sluice's own connection-state lines ({@code io.sluice.*}).</li>
 *   <li>Other INFO and lower from {@code org.apache.zookeeper} and {@code org.apache.curator}
 *       (each "Opening socket connection" of a retry) are dropped.</li>
 *   <li>WARN and ERROR become one line without the stack trace, at most one per logger per
 *       {@link #WINDOW_SECONDS} s, logged by {@code io.sluice.registry.client} with the count of those
 *       held back.</li>
 *   <li>With DEBUG on for one of those loggers (an operator's logback file), everything of it
 *       passes, stack traces included.</li>
 * </ul>
 *
 * <p>Installed by {@link DefaultLogging}; an operator's logback file adds it with
 * {@code <turboFilter class="io.sluice.logging.RegistryClientLogFilter"/>} (conf/logback.xml).
 * Called on any logging thread; the per-logger windows are a concurrent map.
 */
public final class RegistryClientLogFilter extends TurboFilter {

    static final long WINDOW_SECONDS = 60;
    static final String SUMMARY_LOGGER = "io.sluice.registry.client";
    private static final String STATE_LOGGER = "org.apache.curator.framework.state.ConnectionStateManager";

    private final LongSupplier nanoClock;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();
    private final AtomicLong dropped = new AtomicLong();

    /** One logger's window: when it opened and how many lines it held back since. */
    private static final class Window {
        long openedNanos;
        int held;
    }

    public RegistryClientLogFilter() {
        this(System::nanoTime);
    }

    RegistryClientLogFilter(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
        String name = logger.getName();
        // Called for every logging call of the process (event loops included): one char decides most.
        if (name.isEmpty() || name.charAt(0) != 'o'
                || (!name.startsWith("org.apache.zookeeper") && !name.startsWith("org.apache.curator"))) {
            return FilterReply.NEUTRAL;
        }
        if (logger.getEffectiveLevel().toInt() <= Level.DEBUG_INT || name.equals(STATE_LOGGER)) {
            return FilterReply.NEUTRAL;
        }
        if (level.toInt() < Level.WARN_INT) {
            dropped.incrementAndGet();
            return FilterReply.DENY;
        }
        int held = admit(name);
        if (held < 0) {
            dropped.incrementAndGet();
        } else {
            String text = format == null ? "" : MessageFormatter.arrayFormat(format, params).getMessage();
            String cause = t == null ? "" : " (" + t + ")";
            LoggerFactory.getLogger(SUMMARY_LOGGER).warn("{}: {}{}{}", shortName(name), text, cause,
                    held == 0 ? "" : "; " + held + " more held back in the last " + WINDOW_SECONDS + " s");
        }
        return FilterReply.DENY;
    }

    /** Lines of the clients dropped or held back so far (tests, and the measurement in docs). */
    long dropped() {
        return dropped.get();
    }

    /** -1 to hold this line back; else the number held back since the last line that passed. */
    private int admit(String logger) {
        long now = nanoClock.getAsLong();
        Window w = windows.computeIfAbsent(logger, k -> new Window());
        synchronized (w) {
            if (w.openedNanos != 0 && now - w.openedNanos < TimeUnit.SECONDS.toNanos(WINDOW_SECONDS)) {
                w.held++;
                return -1;
            }
            int held = w.held;
            w.openedNanos = now == 0 ? 1 : now;
            w.held = 0;
            return held;
        }
    }

    private static String shortName(String logger) {
        int dot = logger.lastIndexOf('.');
        return dot < 0 ? logger : logger.substring(dot + 1);
    }
}
