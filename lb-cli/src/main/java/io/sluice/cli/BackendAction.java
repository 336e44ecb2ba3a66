package io.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.adminapi.BackendView;
import io.sluice.adminapi.DrainView;
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
     * {@link ExitCodes#NOT_SHARED} when the change is on this node only (not in the shared store
     * yet, or not persisted: the local state file cannot be written), {@link ExitCodes#FAILED} when
     * another node's later change won.
     */
    final int print(Answer answer, String sentence) {
        StoreWriteView write = answer.backend().sharedStore();
        String store = write == null ? null : write.state();
        // Queued (not in the shared store yet) and not-persisted (the local state file cannot be
        // written) alike: in force on this node now, but not kept where it should be.
        int code = "queued".equals(store) || "not-persisted".equals(store) ? ExitCodes.NOT_SHARED
                : "lost".equals(store) ? ExitCodes.FAILED : ExitCodes.OK;
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
        List<String> drains = Views.drains(target.pool(), List.of(answer.backend()), context().clock().instant());
        if (!drains.isEmpty()) {
            out().println();
            drains.forEach(out()::println);
        }
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

    /** {@link ExitCodes#STILL_DRAINED} with a sentence on stderr when the registry's drain holds it; else {@code code}. */
    final int stillDrained(Answer a, int code) {
        DrainView registry = a.backend().registryDrain();
        if (registry == null) {
            return code;
        }
        err().println("sluicectl: " + target + ": the operator's drain is cleared, but the registry still drains it: "
                + Views.drain(registry, context().clock().instant())
                + "; end it where it was set (e.g. sluice-agent ready on that host)");
        err().flush();
        return code == ExitCodes.OK ? ExitCodes.STILL_DRAINED : code;
    }
}
