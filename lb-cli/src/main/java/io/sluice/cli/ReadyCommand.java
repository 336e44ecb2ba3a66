package io.sluice.cli;

import picocli.CommandLine.Command;

/** {@code sluicectl ready POOL/BACKEND}: back to ready from drain or maint; exits 8 when the registry still drains it (see undrain). */
@Command(name = "ready", mixinStandardHelpOptions = true, versionProvider = SluiceCtl.Version.class,
        description = "Put a backend back into service (from drain or maint).")
final class ReadyCommand extends BackendAction {

    @Override
    int run() {
        Answer a = post("ready", null);
        return stillDrained(a, print(a, target + " is " + a.backend().admin() + ": " + eligibility(a.backend())));
    }
}
