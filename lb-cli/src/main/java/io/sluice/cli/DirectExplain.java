package io.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.adminapi.DirectExplainView;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code sluicectl explain --direct}: GET /api/v1/direct/explain, where the kernel sends one flow of a
 * direct listener and why (its slot, the Maglev table it indexes, the kernel's flow-map entry).
 * Kept beside {@link ExplainCommand}, which hands it its options. Stateless; the command's thread.
 */
final class DirectExplain {

    private DirectExplain() {}

    static int run(AdminCommand command, String client, Integer clientPort, String listener, Integer port,
                   String protocol) {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("listener", listener);
        query.put("protocol", protocol);
        query.put("port", port == null ? null : port.toString());
        query.put("client", client);
        query.put("client_port", clientPort == null ? null : clientPort.toString());
        JsonNode answer = command.client().get("/direct/explain", query);
        if (command.json()) {
            command.printJson(answer);
            return ExitCodes.OK;
        }
        DirectExplainView e = AdminClient.read(answer, DirectExplainView.class, "GET /direct/explain");
        Views.Pairs pairs = new Views.Pairs()
                .add("listener", e.listener() + " (direct, nft table ip " + e.table() + ")")
                .add("flow", e.client() + (e.clientPort() == null ? "" : ":" + e.clientPort()) + " -> " + e.vip() + ":"
                        + e.port() + "/" + e.protocol())
                .add("flow key", e.flowKey())
                .add("pool", e.pool())
                .add("slot", e.slot() + " of " + e.tableSize() + " (jhash seed " + e.hashSeed() + ") -> "
                        + (e.slotBackend() == null ? "no backend" : e.slotBackend()))
                .add("maglev", "generation " + e.maglevGeneration() + ", fingerprint " + e.maglevFingerprint());
        DirectExplainView.FlowEntry entry = e.flowEntry();
        pairs.add("flow map", entry == null ? "no entry"
                : (entry.backend() == null ? "mark " + entry.mark() : entry.backend()) + (entry.live() ? "" : " (released)")
                        + (entry.expiresInMillis() == null ? "" : ", expires in "
                        + HumanDurations.human(Duration.ofMillis(entry.expiresInMillis()))));
        pairs.add("backend", e.backend() == null ? "none: dropped (no eligible backend)"
                : e.backend() + " (decided by " + e.decidedBy() + ")");
        pairs.add("why", e.why());
        pairs.print(command.out());
        return ExitCodes.OK;
    }
}
