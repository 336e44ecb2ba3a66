package io.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.adminapi.BackendView;
import io.sluice.adminapi.StoreWriteView;
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

    /**
     * Table output: a sentence saying what changed, what became of it in the shared state store when
     * it is not there yet (or lost), then the backend's row. Returns the exit code: {@link ExitCodes#OK},
     * {@link ExitCodes#NOT_SHARED} when the change is on this node only, {@link ExitCodes#FAILED} when
     * another node's later change won.
     */
    final int print(Answer answer, String sentence) {
        StoreWriteView write = answer.backend().sharedStore();
        String store = write == null ? null : write.state();
        int code = "queued".equals(store) ? ExitCodes.NOT_SHARED : "lost".equals(store) ? ExitCodes.FAILED : ExitCodes.OK;
        if (json()) {
            printJson(answer.json());
            return code;
        }
        out().println(sentence);
        if (code != ExitCodes.OK) {
            out().println(write.detail());
        }
        out().println();
        Views.backends(this, List.of(answer.backend())).print(out());
        return code;
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
