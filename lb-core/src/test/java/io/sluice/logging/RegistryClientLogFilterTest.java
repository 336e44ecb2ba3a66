package io.sluice.logging;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.sluice.state.ZooKeeperOverrideStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A real ZooKeeper outage under a real Curator client with the filter installed: the clients' own
 * lines are dropped or summarised (no stack trace reaches the log), Sluice's state-change lines pass,
 * and a logger set to DEBUG gets everything.
 */
class RegistryClientLogFilterTest {

    private final LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    private final AtomicLong clock = new AtomicLong(1);
    private final RegistryClientLogFilter filter = new RegistryClientLogFilter(clock::get);
    private final ListAppender<ILoggingEvent> seen = new ListAppender<>();
    private Level rootLevel;

    @BeforeEach
    void install() {
        filter.setContext(context);
        filter.start();
        context.addTurboFilter(filter);
        seen.setContext(context);
        seen.start();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        rootLevel = root.getLevel();
        root.setLevel(Level.INFO);
        root.addAppender(seen);
    }

    @AfterEach
    void remove() {
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.detachAppender(seen);
        root.setLevel(rootLevel);
        context.getTurboFilterList().remove(filter);
        context.getLogger("org.apache.zookeeper").setLevel(null);
    }

    private List<ILoggingEvent> clientLines() {
        return seen.list.stream().filter(e -> e.getLoggerName().startsWith("org.apache.zookeeper")
                || e.getLoggerName().startsWith("org.apache.curator")).toList();
    }

    @Test
    void anOutageLeavesOneLinePerStateChangeAndNoStackTrace() throws Exception {
        try (TestingServer zk = new TestingServer(true);
             ZooKeeperOverrideStore store = ZooKeeperOverrideStore.open(zk.getConnectString(), "/sluice", Duration.ofSeconds(10))) {
            seen.list.clear();
            long before = filter.dropped();
            zk.stop();
            // The client retries about once a second, each retry logging a few lines: wait for 20 of them.
            await().atMost(Duration.ofSeconds(60)).until(() -> filter.dropped() - before >= 20);
            zk.restart();
            await().atMost(Duration.ofSeconds(30)).until(() -> store.status().reachable());

            List<ILoggingEvent> client = clientLines();
            assertTrue(client.stream().allMatch(e -> e.getLoggerName().endsWith("ConnectionStateManager")), client::toString);
            assertTrue(client.size() <= 4, "one Curator line per state change: " + client);
            assertTrue(seen.list.stream().noneMatch(e -> e.getThrowableProxy() != null
                    && !e.getLoggerName().startsWith("io.sluice.state")), "no stack trace from the clients: " + seen.list);
            List<ILoggingEvent> summaries = seen.list.stream()
                    .filter(e -> e.getLoggerName().equals(RegistryClientLogFilter.SUMMARY_LOGGER)).toList();
            long loggers = summaries.stream().map(e -> e.getFormattedMessage().split(":")[0]).distinct().count();
            assertEquals(loggers, summaries.size(), "at most one summary per client logger in the window: " + summaries);
            assertTrue(seen.list.stream().anyMatch(e -> e.getFormattedMessage().contains("Override store: connection to ZooKeeper")),
                    "Sluice's own state-change line passes: " + seen.list);
        }
    }

    @Test
    void aSummaryPerWindowCountsWhatWasHeldBackAndDebugLetsAllThrough() {
        Logger cnxn = context.getLogger("org.apache.zookeeper.ClientCnxn");
        RuntimeException boom = new RuntimeException("Connection refused");
        cnxn.warn("Session 0x1 for server 127.0.0.1:2181, closing socket connection", boom);
        cnxn.warn("Session 0x1 for server 127.0.0.1:2181, closing socket connection", boom);
        cnxn.info("Opening socket connection to server 127.0.0.1:2181");
        clock.addAndGet(Duration.ofSeconds(RegistryClientLogFilter.WINDOW_SECONDS).toNanos());
        cnxn.warn("Session 0x1 for server 127.0.0.1:2181, closing socket connection", boom);
        List<ILoggingEvent> summaries = seen.list.stream()
                .filter(e -> e.getLoggerName().equals(RegistryClientLogFilter.SUMMARY_LOGGER)).toList();
        assertEquals(2, summaries.size(), summaries::toString);
        assertEquals("ClientCnxn: Session 0x1 for server 127.0.0.1:2181, closing socket connection"
                + " (java.lang.RuntimeException: Connection refused)", summaries.get(0).getFormattedMessage());
        assertTrue(summaries.get(1).getFormattedMessage().endsWith("; 1 more held back in the last 60 s"),
                summaries.get(1)::getFormattedMessage);
        assertTrue(clientLines().isEmpty());

        context.getLogger("org.apache.zookeeper").setLevel(Level.DEBUG);
        cnxn.warn("with a trace", boom);
        assertEquals(1, clientLines().size());
        assertTrue(clientLines().get(0).getThrowableProxy() != null, "DEBUG on: the stack trace is there");
    }
}
