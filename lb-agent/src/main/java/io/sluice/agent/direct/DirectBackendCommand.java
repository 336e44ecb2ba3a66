package io.sluice.agent.direct;

import java.io.PrintWriter;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sluice-agent direct-backend apply|remove --vip ADDRESS...}: prepares this host to serve a
 * Sluice direct-routing VIP (docs/direct-routing.md), or undoes it. Exit codes: 0 done, 1 a step
 * failed (not root, no {@code ip}), 2 a bad VIP.
 */
@Command(name = "direct-backend", description = "Set this host up as a direct-routing backend of VIPs (or undo it).",
        subcommands = {DirectBackendCommand.Apply.class, DirectBackendCommand.Remove.class})
public final class DirectBackendCommand implements Callable<Integer> {

    // sluice-agent's exit codes (SluiceAgent): 0 done, 1 a step failed, 2 bad command line.
    static final int OK = 0;
    static final int FAILED = 1;
    static final int BAD_USAGE = 2;

    private static final Pattern DOTTED_QUAD = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return BAD_USAGE;
    }

    /** Shared by both sub-commands. */
    abstract static class Step implements Callable<Integer> {
        @Option(names = "--vip", required = true, paramLabel = "ADDRESS",
                description = "A VIP (IPv4) of a Sluice direct listener this host serves; repeat for several.")
        List<String> vips;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        abstract List<String> run(List<Inet4Address> addresses) throws BackendSetup.Failed;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            List<Inet4Address> addresses = new ArrayList<>();
            for (String v : vips) {
                try {
                    if (!DOTTED_QUAD.matcher(v).matches()) {
                        throw new UnknownHostException();
                    }
                    addresses.add((Inet4Address) InetAddress.getByName(v));
                } catch (UnknownHostException | ClassCastException e) {
                    err.println("sluice-agent: --vip " + v + ": expected an IPv4 address like 203.0.113.10");
                    err.flush();
                    return BAD_USAGE;
                }
            }
            try {
                List<String> done = run(addresses);
                out.println(done.isEmpty() ? "nothing to change" : String.join("\n", done));
                out.flush();
                return OK;
            } catch (BackendSetup.Failed e) {
                err.println("sluice-agent: " + e.getMessage());
                err.flush();
                return FAILED;
            }
        }
    }

    @Command(name = "apply", description = "arp_ignore=1, arp_announce=2, and each VIP as a /32 on lo (idempotent).")
    static final class Apply extends Step {
        @Override
        List<String> run(List<Inet4Address> addresses) throws BackendSetup.Failed {
            return BackendSetup.apply(addresses);
        }
    }

    @Command(name = "remove", description = "Each VIP off lo (the ARP settings stay; they are harmless without a VIP).")
    static final class Remove extends Step {
        @Override
        List<String> run(List<Inet4Address> addresses) throws BackendSetup.Failed {
            return BackendSetup.remove(addresses);
        }
    }
}
