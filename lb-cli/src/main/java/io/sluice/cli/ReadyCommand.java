package io.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;

/** {@code sluicectl ready POOL/BACKEND}: back to ready from drain or maint. */
@Command(name = "ready", mixinStandardHelpOptions = true, versionProvider = SluiceCtl.Version.class,
        description = "Put a backend back into service (from drain or maint).")
final class ReadyCommand extends BackendAction {

    @Override
    int run() {
        JsonNode b = post("ready", null);
        return print(b, target + " is " + Views.text(b, "admin") + ": " + eligibility(b));
    }
}
