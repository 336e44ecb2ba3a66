package io.sluice.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sluicectl maint POOL/BACKEND [--kill]}: maintenance, no new connections (no deadline). */
@Command(name = "maint", mixinStandardHelpOptions = true, versionProvider = SluiceCtl.Version.class,
        description = "Put a backend in maintenance: no new connections; existing ones stay unless --kill.")
final class MaintCommand extends BackendAction {

    @Option(names = "--kill", description = "Also close its existing connections now (paced at the pool's close rate).")
    boolean kill;

    @Override
    int run() {
        ObjectNode body = null;
        if (kill) {
            body = AdminClient.JSON.createObjectNode().put("kill", true);
        }
        Answer a = post("maint", body);
        long active = a.backend().activeConnections();
        return print(a, target + " is in maintenance: " + active + (active == 1 ? " connection " : " connections ")
                + (kill ? "left, being closed" : (active == 1 ? "stays" : "stay") + " open (--kill closes them)"));
    }
}
