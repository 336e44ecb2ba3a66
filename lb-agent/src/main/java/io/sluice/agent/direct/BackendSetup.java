package io.sluice.agent.direct;

import java.io.IOException;
import java.net.Inet4Address;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Makes this host a direct-routing backend of a VIP, or stops it being one.
 *
 * <p>Apply: {@code net.ipv4.conf.all.arp_ignore=1} (answer ARP only for addresses of the interface
 * asked on, so the VIP on {@code lo} is never announced: the balancer must keep receiving the VIP's
 * packets), {@code net.ipv4.conf.all.arp_announce=2} (ARP requests from this host use the outgoing
 * interface's own address, never the VIP), then the VIP as a /32 on {@code lo}, so the kernel accepts
 * packets addressed to it and replies from it, straight to the client. Each step is idempotent.
 *
 * <p>Remove: the VIP leaves {@code lo}. The ARP settings stay: without a VIP they change nothing
 * visible, and another service on the host may rely on them.
 *
 * <p>Used by {@code direct-backend apply|remove} and by {@code run} for services with {@code direct-vips}
 * (applied before the first registration, removed after the last deregistration).
 *
 * <p>Runs {@code ip} and writes /proc/sys; blocks; needs CAP_NET_ADMIN. Called from the command's thread.
 */
public final class BackendSetup {

    static final Path SYSCTL = Path.of("/proc/sys/net/ipv4/conf/all");

    /** Why a step failed, in words for the operator. */
    public static final class Failed extends Exception {
        Failed(String message) {
            super(message);
        }
    }

    private BackendSetup() {
    }

    /** Applies the setup for every VIP; returns one line per change made (empty: all was in place). */
    public static List<String> apply(List<Inet4Address> vips) throws Failed {
        List<String> done = new ArrayList<>();
        sysctl("arp_ignore", "1", done);
        sysctl("arp_announce", "2", done);
        String present = ip("-o", "addr", "show", "dev", "lo");
        for (Inet4Address vip : vips) {
            String cidr = vip.getHostAddress() + "/32";
            if (!present.contains(" " + cidr + " ")) {
                ip("addr", "add", cidr, "dev", "lo");
                done.add("added " + cidr + " to lo");
            }
        }
        return done;
    }

    /** Removes the VIPs from {@code lo}; returns one line per change made. */
    public static List<String> remove(List<Inet4Address> vips) throws Failed {
        List<String> done = new ArrayList<>();
        String present = ip("-o", "addr", "show", "dev", "lo");
        for (Inet4Address vip : vips) {
            String cidr = vip.getHostAddress() + "/32";
            if (present.contains(" " + cidr + " ")) {
                ip("addr", "del", cidr, "dev", "lo");
                done.add("removed " + cidr + " from lo");
            }
        }
        return done;
    }

    private static void sysctl(String name, String value, List<String> done) throws Failed {
        Path file = SYSCTL.resolve(name);
        try {
            // readAllLines, not readString: readString reads one byte first from a file that reports
            // size 0, and a sysctl file answers the next read with end-of-file (one digit survives).
            String now = Files.readAllLines(file).get(0).strip();
            if (!now.equals(value)) {
                Files.writeString(file, value, StandardCharsets.US_ASCII);
                done.add("net.ipv4.conf.all." + name + " " + now + " -> " + value);
            }
        } catch (IOException e) {
            throw new Failed("cannot set net.ipv4.conf.all." + name + "=" + value + " (" + e.getMessage()
                    + "); run as root");
        }
    }

    private static String ip(String... args) throws Failed {
        List<String> command = new ArrayList<>(List.of("ip"));
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new Failed(String.join(" ", command) + " did not finish in 30 s");
            }
            if (p.exitValue() != 0) {
                String hint = out.contains("Operation not permitted") ? " (needs CAP_NET_ADMIN: run as root)" : "";
                throw new Failed(String.join(" ", command) + " failed: " + out.strip() + hint);
            }
            return out;
        } catch (IOException e) {
            throw new Failed("cannot run ip (package iproute2): " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failed("interrupted");
        }
    }
}
