package io.sluice.cli;

import picocli.CommandLine.Command;

/** {@code sluicectl undrain POOL/BACKEND}: back to ready after a drain (same as {@code ready}). */
@Command(name = "undrain", mixinStandardHelpOptions = true, versionProvider = SluiceCtl.Version.class,
        description = "Cancel a drain: the backend takes new connections again (same as ready).")
final class UndrainCommand extends BackendAction {

    @Override
    int run() {
        Answer a = post("undrain", null);
        return print(a, target + " is " + a.backend().admin() + ": " + eligibility(a.backend()));
    }
}
