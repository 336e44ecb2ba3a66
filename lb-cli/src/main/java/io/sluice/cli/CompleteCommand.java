package io.sluice.cli;

import io.sluice.adminapi.BackendView;
import io.sluice.adminapi.PoolList;
import io.sluice.adminapi.PoolView;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code sluicectl __complete pools|backends}: the names the shell completion script
 * ({@link CompletionCommand}) offers, one per line, from the running daemon. Hidden: it is the script's
 * interface, not the operator's. A tab press must never hang or print noise, so the call gets at most
 * {@link #TIMEOUT}, and a daemon that is down, silent or refusing yields no names and no message (exit 3,
 * or 7 when it connected but got no answer).
 */
@Command(name = "__complete", hidden = true, description = "Pool or backend names for shell completion.")
final class CompleteCommand extends AdminCommand {

    /** At most this long per tab press, whatever --timeout says. */
    static final Duration TIMEOUT = Duration.ofSeconds(1);

    /** What to list: pool names, or {@code pool/backend} pairs. */
    enum Names { pools, backends }

    @Parameters(index = "0", paramLabel = "pools|backends", description = "${COMPLETION-CANDIDATES}")
    Names names;

    @Override
    int run() {
        Duration timeout = options().timeout().compareTo(TIMEOUT) < 0 ? options().timeout() : TIMEOUT;
        PoolList pools;
        try {
            pools = AdminClient.read(new AdminClient(options().admin(), timeout).get("/pools"), PoolList.class,
                    "GET /pools");
        } catch (CliException e) {
            return e.exitCode();
        }
        for (PoolView pool : Views.list(pools.pools())) {
            if (names == Names.pools) {
                out().println(pool.name());
                continue;
            }
            for (BackendView b : Views.list(pool.backends())) {
                out().println(pool.name() + "/" + b.name());
            }
        }
        out().flush();
        return ExitCodes.OK;
    }
}
