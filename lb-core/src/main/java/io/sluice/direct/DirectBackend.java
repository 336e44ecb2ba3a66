package io.sluice.direct;

import java.net.Inet4Address;
import java.util.Objects;

/**
 * A backend as the kernel knows it: its address, and the packet mark (also its policy-routing table
 * number) that sends a packet there.
 *
 * <p>The mark is the backend's IPv4 address read as a 32-bit number. It is derived, not allocated, so
 * a restarted daemon, and every other node, marks the same backend the same way: the flow map the
 * kernel kept across a restart still points at the right backend.
 *
 * @param name    the backend's name in its pool (counters, logs)
 * @param address where packets for it go (destination unchanged: it holds the VIP on its loopback)
 * @param live    whether flows already pinned to it stay there (eligible, or draining before its
 *                deadline); false sends them back to the hash
 */
public record DirectBackend(String name, Inet4Address address, boolean live) {

    public DirectBackend {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(address, "address");
    }

    /** The fwmark and route table of this backend; never 0 for a usable address. */
    public long mark() {
        return markOf(address);
    }

    static long markOf(Inet4Address address) {
        byte[] b = address.getAddress();
        return (b[0] & 0xFFL) << 24 | (b[1] & 0xFFL) << 16 | (b[2] & 0xFFL) << 8 | (b[3] & 0xFFL);
    }
}
