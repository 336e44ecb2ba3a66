package io.sluice.cli;

import io.sluice.adminapi.BackendView;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code sluicectl weight POOL/BACKEND N}: an admin override of the configured weight. */
@Command(name = "weight", mixinStandardHelpOptions = true, versionProvider = SluiceCtl.Version.class,
        description = "Set a backend's weight (0..1000); new connections follow it, open ones stay.")
final class WeightCommand extends BackendAction {

    @Parameters(index = "1", paramLabel = "N", description = "The new weight, 0..1000 (0: no new connections).")
    int weight;

    @Override
    int run() {
        if (weight < 0 || weight > 1000) {
            throw new CliException(ExitCodes.USAGE, "weight " + weight + " (expected 0..1000)");
        }
        Answer a = post("weight", AdminClient.JSON.createObjectNode().put("weight", weight));
        BackendView b = a.backend();
        return print(a, target + " weight " + b.weight() + " (configured " + b.configuredWeight()
                + ", effective " + b.effectiveWeight() + ")");
    }
}
