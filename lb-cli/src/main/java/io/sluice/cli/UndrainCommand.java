package io.sluice.cli;

import picocli.CommandLine.Command;

/**
 * {@code sluicectl undrain POOL/BACKEND}: ends the operator's drain or maint (same as {@code ready}).
 * A drain the registry holds (the agent's maintenance, critical, gone) is not the operator's to end:
 * when one still holds the backend, the command says so, with who set it and why, and exits
 * {@link ExitCodes#STILL_DRAINED}.
 */
@Command(name = "undrain", mixinStandardHelpOptions = true, versionProvider = SluiceCtl.Version.class,
        description = {"Cancel the operator's drain: the backend takes new connections again (same as ready).",
                "If the registry still drains it (sluice-agent drain, a critical check), says who set that drain"
                        + " and exits 8: end it where it was set (sluice-agent ready)."})
final class UndrainCommand extends BackendAction {

    @Override
    int run() {
        Answer a = post("undrain", null);
        return stillDrained(a, print(a, target + " is " + a.backend().admin() + ": " + eligibility(a.backend())));
    }
}
