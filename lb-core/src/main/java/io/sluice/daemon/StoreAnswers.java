package io.sluice.daemon;

import io.sluice.adminapi.StoreView;
import io.sluice.adminapi.StoreWriteView;
import io.sluice.state.AdminOverride;
import io.sluice.state.OverrideStore;
import io.sluice.state.StoreStatus;
import io.sluice.state.StoreWrite;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * How the admin API tells what the override store made of a change, and what the store is doing.
 *
 * <p>Runs on the admin executor. An answer waits for the store at most {@link #WAIT} and only while
 * the store is reachable (a versioned write normally takes milliseconds); while it is known
 * unreachable the answer is "queued" at once. The control thread never waits for the store.
 */
final class StoreAnswers {

    /** The longest an admin answer waits for a reachable store before saying "queued". */
    static final Duration WAIT = Duration.ofSeconds(1);

    private final OverrideStore store;

    StoreAnswers(OverrideStore store) {
        this.store = store;
    }

    /** What became of {@code write}, waiting at most {@link #WAIT} while the store answers. */
    StoreWriteView outcome(CompletableFuture<StoreWrite> write) {
        StoreWrite now = write.getNow(StoreWrite.QUEUED);
        boolean local = "local".equals(store.status().store());
        if (now == StoreWrite.QUEUED && store.status().reachable()) {
            try {
                now = write.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                now = StoreWrite.QUEUED;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                now = StoreWrite.QUEUED;
            } catch (ExecutionException e) {
                now = StoreWrite.QUEUED; // put never fails its future; kept queued to be safe
            }
        }
        return switch (now) {
            case STORED -> local
                    ? new StoreWriteView("local", "applied on this node and kept in its state file (state.store: local)")
                    : new StoreWriteView("stored", "in the shared " + store.status().store() + " store: every node follows it");
            case QUEUED -> new StoreWriteView("queued", StoreWriteView.QUEUED_DETAIL);
            case LOST -> new StoreWriteView("lost", "another node changed this backend later in the shared store;"
                    + " its setting is in force here too (see shared_store.lost in the status)");
        };
    }

    /** The store as GET /api/v1/status shows it. */
    StoreView view() {
        StoreStatus s = store.status();
        return new StoreView(s.store(), s.reachable(),
                s.queued().stream().map(q -> new StoreView.Change(q.pool() + "/" + q.backend(), describe(q.change()),
                        q.queuedAt().toString())).toList(),
                s.lost().stream().map(l -> new StoreView.Lost(l.pool() + "/" + l.backend(), describe(l.mine()),
                        describe(l.theirs()), l.queuedAt().toString(), l.resolvedAt().toString())).toList(),
                s.lostTotal());
    }

    /** "drain", "maint", "ready", with ", weight N" when the weight is overridden. */
    static String describe(AdminOverride o) {
        return o.admin().word() + (o.weight() == null ? "" : ", weight " + o.weight());
    }
}
