package io.sluice.cli.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.harness.SluiceExtension;
import java.io.IOException;
import org.apache.curator.test.TestingServer;

/**
 * Two real daemon processes, {@link #one} and {@link #two}, sharing their admin state through a real
 * ZooKeeper ({@link #zk}, which a test may stop and restart): each has pool {@code main} over its own
 * backends {@code a} and {@code b}, and the admin token {@link #TOKEN}. {@link #close()} stops both
 * daemons, then ZooKeeper.
 *
 * <p>Used from the test thread only.
 */
final class SharedStoreFleet implements AutoCloseable {

    static final String TOKEN = "e2e-admin-token";

    private final TestingServer zk;
    private final SluiceExtension one;
    private final SluiceExtension two;

    private SharedStoreFleet(TestingServer zk) {
        this.zk = zk;
        this.one = node(zk);
        this.two = node(zk);
    }

    /** ZooKeeper and both daemons, started; nothing is left running if one of them cannot start. */
    static SharedStoreFleet start() throws Exception {
        SharedStoreFleet fleet = new SharedStoreFleet(new TestingServer(true));
        try {
            fleet.one.start();
            fleet.two.start();
        } catch (Exception | AssertionError e) {
            fleet.close();
            throw e;
        }
        return fleet;
    }

    private static SluiceExtension node(TestingServer zk) {
        return SluiceExtension.builder().backend("a").backend("b").adminToken(TOKEN + "\n").configure(c -> c
                .section("""
                        discovery:
                          zookeeper: { connect: "%s", base-path: /sluice }
                        state:
                          store: zookeeper
                        """.formatted(zk.getConnectString()))).build();
    }

    TestingServer zk() {
        return zk;
    }

    SluiceExtension one() {
        return one;
    }

    SluiceExtension two() {
        return two;
    }

    /** sluicectl pointed at node one, with its token. */
    Sluicectl sluicectl() {
        return new Sluicectl().env("SLUICE_ADMIN", one.adminUrl()).env("SLUICE_TOKEN_FILE", one.tokenFile().toString());
    }

    /** Backend {@code name} of pool main as {@code node}'s admin API shows it. */
    static JsonNode backend(SluiceExtension node, String name) throws IOException, InterruptedException {
        for (JsonNode b : node.adminJson("/api/v1/pools/main").path("backends")) {
            if (name.equals(b.path("name").asText())) {
                return b;
            }
        }
        throw new AssertionError("no backend " + name + " in " + node);
    }

    @Override
    public void close() throws Exception {
        try {
            two.close();
            one.close();
        } finally {
            zk.close();
        }
    }
}
