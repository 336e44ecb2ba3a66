package io.sluice.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** SIGHUP during start-up: the reload waits for the daemon instead of vanishing (found with the socket relay). */
class ReloadRequestsTest {

    @Test
    void aRequestBeforeTheActionRunsOnceItIsSet() {
        ReloadRequests requests = new ReloadRequests();
        AtomicInteger reloads = new AtomicInteger();
        assertFalse(requests.requested(), "nothing to run it yet");
        assertEquals(0, reloads.get());
        requests.handleWith(reloads::incrementAndGet);
        assertEquals(1, reloads.get(), "the early request runs when the action is set");
        assertTrue(requests.requested());
        assertEquals(2, reloads.get(), "later requests run at once");
    }

    @Test
    void withoutAnEarlyRequestSettingTheActionRunsNothing() {
        ReloadRequests requests = new ReloadRequests();
        AtomicInteger reloads = new AtomicInteger();
        requests.handleWith(reloads::incrementAndGet);
        assertEquals(0, reloads.get());
    }

    @Test
    void aRequestRacingTheActionRunsExactlyOnce() throws Exception {
        for (int round = 0; round < 2000; round++) {
            ReloadRequests requests = new ReloadRequests();
            AtomicInteger reloads = new AtomicInteger();
            CountDownLatch go = new CountDownLatch(1);
            Thread signal = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                requests.requested();
            });
            signal.start();
            go.countDown();
            requests.handleWith(reloads::incrementAndGet);
            signal.join(5000);
            assertEquals(1, reloads.get(), "round " + round);
        }
    }
}
