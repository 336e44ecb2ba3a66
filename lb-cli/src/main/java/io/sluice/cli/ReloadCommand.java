package io.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;

/** {@code sluicectl reload}: POST /api/v1/reload; a rejected config prints every error and exits 1. */
@Command(name = "reload", mixinStandardHelpOptions = true, versionProvider = SluiceCtl.Version.class,
        description = "Re-read the config file; an invalid one is rejected (every error printed) and the running one kept.")
final class ReloadCommand extends AdminCommand {

    @Override
    int run() {
        String token = token();
        AdminClient.Response r = client().send("POST", "/api/v1/reload", null, token);
        if (r.status() == 422 || (r.status() == 200 && r.json() != null && !r.json().path("ok").asBoolean(true))) {
            if (json()) {
                printJson(r.json());
            }
            List<String> lines = new ArrayList<>();
            lines.add(r.status() == 422 ? r.detail() : "config rejected: " + Views.text(r.json(), "summary"));
            r.errors().forEach(e -> lines.add("  " + e));
            throw new CliException(ExitCodes.FAILED, lines);
        }
        JsonNode result = AdminClient.requireSuccess(r);
        if (json()) {
            printJson(result);
        } else {
            String summary = Views.text(result, "summary");
            out().println("reloaded" + (summary == null ? "" : ": " + summary));
            out().flush();
        }
        return ExitCodes.OK;
    }
}
