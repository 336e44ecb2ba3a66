package io.sluice.direct;

import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@link DirectPlane} checks before it changes anything: the {@code nft} and {@code ip} commands,
 * the privilege to use them, and whose the configured table is. Each refusal is one message the
 * operator can act on. Runs on the direct thread.
 */
final class HostChecks {

    private static final Logger log = LoggerFactory.getLogger(DirectPlane.class);

    private HostChecks() {
    }

    /** nft exists and may change the ruleset; ip exists. */
    static void tools(SystemCommand command) throws DirectPlane.StartFailed {
        try {
            command.run(List.of("nft", "--version"), null);
        } catch (SystemCommand.Failed e) {
            throw new DirectPlane.StartFailed("direct routing needs the nft command (package nftables): " + e.getMessage());
        }
        try {
            command.run(List.of("nft", "list", "tables"), null);
        } catch (SystemCommand.Failed e) {
            throw new DirectPlane.StartFailed("direct routing needs CAP_NET_ADMIN to program nftables (run sluice as root,"
                    + " or give it the capability): " + e.getMessage());
        }
        try {
            command.run(List.of("ip", "-j", "rule", "show"), null);
        } catch (SystemCommand.Failed e) {
            throw new DirectPlane.StartFailed("direct routing needs the ip command (package iproute2): " + e.getMessage());
        }
    }

    /** The objects of the table if it is Sluice's or absent (empty); a table of someone else's is refused. */
    static Set<String> claim(SystemCommand command, String table) throws DirectPlane.StartFailed {
        String listing;
        try {
            listing = command.run(List.of("nft", "-t", "list", "table", "ip", table), null);
        } catch (SystemCommand.Failed e) {
            if (e.getMessage().contains("No such file or directory")) {
                return Set.of();
            }
            throw new DirectPlane.StartFailed("direct routing: cannot read nft table ip " + table + ": " + e.getMessage());
        }
        if (!listing.contains("comment \"" + NftScript.OWNER_COMMENT + "\"")) {
            throw new DirectPlane.StartFailed("nft table ip " + table + " already exists and is not Sluice's (it lacks the comment \""
                    + NftScript.OWNER_COMMENT + "\"); set direct.table to another name, or delete that table"
                    + " if it is a leftover");
        }
        Set<String> objects = NftScript.parseObjects(listing);
        log.info("Direct routing: adopting Sluice's existing nft table ip {} ({} objects; its flows are kept)", table,
                objects.size());
        return objects;
    }

    /** Forwarding off or redirects on make a node that programs fine but does not balance: say so. */
    static void warnAboutSysctls(SystemCommand command) {
        try {
            String forward = command.run(List.of("cat", "/proc/sys/net/ipv4/ip_forward"), null).strip();
            if (!forward.equals("1")) {
                log.warn("Direct routing: net.ipv4.ip_forward is {}: this node will not forward (see docs/direct-routing.md)",
                        forward);
            }
            String redirects = command.run(List.of("cat", "/proc/sys/net/ipv4/conf/all/send_redirects"), null).strip();
            if (!redirects.equals("0")) {
                log.warn("Direct routing: net.ipv4.conf.all.send_redirects is {}: clients will be told to skip"
                        + " this node (see docs/direct-routing.md)", redirects);
            }
        } catch (SystemCommand.Failed e) {
            log.debug("cannot read forwarding sysctls: {}", e.getMessage());
        }
    }
}
