package io.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;

/** {@code sluicectl undrain POOL/BACKEND}: back to ready after a drain (same as {@code ready}). */
@Command(name = "undrain", mixinStandardHelpOptions = true, versionProvider = SluiceCtl.Version.class,
        description = "Cancel a drain: the backend takes new connections again (same as ready).")
final class UndrainCommand extends BackendAction {

    @Override
    int run() {
        JsonNode b = post("undrain", null);
        return print(b, target + " is " + Views.text(b, "admin") + ": " + eligibility(b));
    }
}
