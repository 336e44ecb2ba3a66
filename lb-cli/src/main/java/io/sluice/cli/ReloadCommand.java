package io.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.adminapi.ReloadResult;
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
        ReloadResult ok = r.status() == 200 && r.json() != null && r.json().hasNonNull("ok")
                ? AdminClient.read(r.json(), ReloadResult.class, "POST /reload") : null;
        if (r.status() == 422 || (ok != null && !ok.ok())) {
            if (json()) {
                printJson(r.json());
            }
            List<String> lines = new ArrayList<>();
            lines.add(r.status() == 422 ? r.detail() : "config rejected: " + ok.summary());
            (r.status() == 422 ? r.errors() : Views.list(ok.errors())).forEach(e -> lines.add("  " + e));
            throw new CliException(ExitCodes.FAILED, lines);
        }
        JsonNode result = AdminClient.requireSuccess(r);
        if (json()) {
            printJson(result);
        } else {
            String summary = AdminClient.read(result, ReloadResult.class, "POST /reload").summary();
            out().println("reloaded" + (summary == null ? "" : ": " + summary));
            out().flush();
        }
        return ExitCodes.OK;
    }
}
