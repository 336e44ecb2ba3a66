package io.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.adminapi.BackendView;
import java.util.List;
import picocli.CommandLine.Parameters;

/**
 * A command that changes one backend's admin state:
 * {@code POST /api/v1/pools/{pool}/backends/{backend}/{action}}, answered with a {@code BackendView}.
 */
abstract class BackendAction extends AdminCommand {

    @Parameters(index = "0", paramLabel = "POOL/BACKEND", converter = BackendRef.Converter.class,
            description = "The backend, e.g. chat/app-1.")
    BackendRef target;

    /** The answer to an action: as it came (for {@code -o json}) and as the record it is. */
    record Answer(JsonNode json, BackendView backend) {}

    /** Posts the action (the token is checked first, so a missing one sends nothing). */
    final Answer post(String action, ObjectNode body) {
        String token = token();
        String path = "/pools/" + AdminClient.segment(target.pool()) + "/backends/"
                + AdminClient.segment(target.backend()) + "/" + action;
        JsonNode json = client().post(path, body, token);
        return new Answer(json, AdminClient.read(json, BackendView.class, "POST " + path));
    }

    /** Table output: a sentence saying what changed, then the backend's row. */
    final void print(Answer answer, String sentence) {
        if (json()) {
            printJson(answer.json());
            return;
        }
        out().println(sentence);
        out().println();
        Views.backends(this, List.of(answer.backend())).print(out());
    }

    /** "ready and eligible" / "ready, not eligible (health down, weight 0)". */
    static String eligibility(BackendView b) {
        if (b.eligible()) {
            return "takes new connections";
        }
        StringBuilder why = new StringBuilder();
        if (!"up".equals(b.health())) {
            why.append("health ").append(b.health());
        }
        if (!"ready".equals(b.admin())) {
            why.append(why.isEmpty() ? "" : ", ").append("admin ").append(b.admin());
        }
        if (b.weight() == 0) {
            why.append(why.isEmpty() ? "" : ", ").append("weight 0");
        }
        return "takes no new connections" + (why.isEmpty() ? "" : " (" + why + ")");
    }
}
