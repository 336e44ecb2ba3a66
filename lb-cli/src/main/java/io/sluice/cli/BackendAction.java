package io.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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

    /** Posts the action (the token is checked first, so a missing one sends nothing); returns the BackendView. */
    final JsonNode post(String action, ObjectNode body) {
        String token = token();
        return client().post("/pools/" + AdminClient.segment(target.pool()) + "/backends/"
                + AdminClient.segment(target.backend()) + "/" + action, body, token);
    }

    /**
     * Table output: a sentence saying what changed, what became of it in the shared state store when
     * it is not there yet (or lost), then the backend's row. Returns the exit code: {@link ExitCodes#OK},
     * {@link ExitCodes#NOT_SHARED} when the change is on this node only, {@link ExitCodes#FAILED} when
     * another node's later change won.
     */
    final int print(JsonNode backend, String sentence) {
        String store = Views.text(backend.path("shared_store"), "state");
        int code = "queued".equals(store) ? ExitCodes.NOT_SHARED : "lost".equals(store) ? ExitCodes.FAILED : ExitCodes.OK;
        if (json()) {
            printJson(backend);
            return code;
        }
        out().println(sentence);
        if (code != ExitCodes.OK) {
            out().println(Views.text(backend.path("shared_store"), "detail"));
        }
        out().println();
        Views.backends(this, List.of(backend)).print(out());
        return code;
    }

    /** "ready and eligible" / "ready, not eligible (health down, weight 0)". */
    static String eligibility(JsonNode b) {
        if (b.path("eligible").asBoolean()) {
            return "takes new connections";
        }
        StringBuilder why = new StringBuilder();
        if (!"up".equals(Views.text(b, "health"))) {
            why.append("health ").append(Views.text(b, "health"));
        }
        if (!"ready".equals(Views.text(b, "admin"))) {
            why.append(why.isEmpty() ? "" : ", ").append("admin ").append(Views.text(b, "admin"));
        }
        if (b.path("weight").asInt() == 0) {
            why.append(why.isEmpty() ? "" : ", ").append("weight 0");
        }
        return "takes no new connections" + (why.isEmpty() ? "" : " (" + why + ")");
    }
}
