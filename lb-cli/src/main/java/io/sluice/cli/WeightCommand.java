package io.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
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
        JsonNode b = post("weight", AdminClient.JSON.createObjectNode().put("weight", weight));
        return print(b, target + " weight " + b.path("weight").asInt() + " (configured " + b.path("configured_weight").asInt()
                + ", effective " + b.path("effective_weight").asInt() + ")");
    }
}
