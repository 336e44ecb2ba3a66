package io.sluice.cli;

import picocli.CommandLine.Command;

/** {@code sluicectl ready POOL/BACKEND}: back to ready from drain or maint. */
@Command(name = "ready", mixinStandardHelpOptions = true, versionProvider = SluiceCtl.Version.class,
        description = "Put a backend back into service (from drain or maint).")
final class ReadyCommand extends BackendAction {

    @Override
    int run() {
        Answer a = post("ready", null);
        return print(a, target + " is " + a.backend().admin() + ": " + eligibility(a.backend()));
    }
}
