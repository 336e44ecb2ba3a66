package io.sluice.agent.zookeeper;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Who turns maintenance on, as the ZooKeeper payload tells the daemons ({@code maintenanceBy}): the
 * agent and the host it runs on, so an operator looking at a drained backend knows where to undo it.
 */
final class DrainNote {

    private DrainNote() {}

    /** {@code sluice-agent on HOST}. Called on the agent's command or report thread (a name lookup may block). */
    static String by() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = System.getenv().getOrDefault("HOSTNAME", "an unknown host");
        }
        return "sluice-agent on " + host;
    }
}
