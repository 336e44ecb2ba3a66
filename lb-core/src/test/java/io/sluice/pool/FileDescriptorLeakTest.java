package io.sluice.pool;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.harness.Clients;
import io.sluice.harness.EachRelay;
import io.sluice.harness.RunningDaemon;
import io.sluice.harness.TestBackend;
import io.sluice.harness.TestConfigs;
import java.io.File;
import java.net.Socket;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Many short and reset connections leave no file descriptors behind in the process. */
class FileDescriptorLeakTest extends EachRelay {

    private static final File FDS = new File("/proc/self/fd");

    private static int openFds() {
        String[] entries = FDS.list();
        if (entries == null) {
            throw new AssertionError("cannot list " + FDS);
        }
        return entries.length;
    }

    private static void shortConnection(RunningDaemon daemon) throws Exception {
        try (Socket s = Clients.connect(daemon.address())) {
            assertEquals("fd", Clients.readLine(s));
        }
    }

    private static void resetConnection(RunningDaemon daemon) throws Exception {
        Socket s = Clients.connect(daemon.address());
        assertEquals("fd", Clients.readLine(s));
        s.setSoLinger(true, 0);
        s.close();
    }

    private static void awaitQuiet(RunningDaemon daemon, TestBackend backend) {
        await().atMost(Duration.ofSeconds(10)).until(() ->
                daemon.daemon().connections().size() == 0 && backend.openConnections() == 0);
    }

    @Test
    void shortAndResetConnectionsLeaveNoDescriptors() throws Exception {
        Assumptions.assumeTrue(FDS.isDirectory(), "/proc/self/fd is not available here");
        try (TestBackend backend = TestBackend.namedEcho("fd");
             RunningDaemon daemon = RunningDaemon.start(TestConfigs.builder().backend(backend))) {
            // Warm-up: loads the classes (and opens the jars) a first connection and a first reset need.
            shortConnection(daemon);
            resetConnection(daemon);
            awaitQuiet(daemon, backend);
            int baseline = openFds();

            for (int i = 0; i < 500; i++) {
                shortConnection(daemon);
            }
            for (int i = 0; i < 50; i++) {
                resetConnection(daemon);
            }
            awaitQuiet(daemon, backend);
            await().atMost(Duration.ofSeconds(5)).until(() -> openFds() <= baseline + 5);
            System.out.println("fd count: baseline " + baseline + ", after 550 connections " + openFds());
            assertEquals(552, backend.accepted());
        }
    }
}
