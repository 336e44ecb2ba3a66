package io.sluice.transport;

import java.io.BufferedReader;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The kernel's table of listening TCP sockets ({@code /proc/net/tcp} and {@code tcp6}), for two
 * questions the socket API does not answer: does another process already listen on an address we
 * are about to bind with SO_REUSEPORT (which would let us silently share its port), and how many
 * connections wait in a listening socket's accept queue (for a listener has been paused, whether
 * anyone still accepts from it).
 *
 * <p>The kernel lists listening sockets before all others, so reading stops at the first line that
 * is not LISTEN: the cost does not grow with the number of established connections. Where
 * {@code /proc} cannot be read (not Linux), the answers are "none" and "unknown".
 *
 * <p>Stateless; any thread (reads files, so never an event loop).
 */
public final class ListeningSockets {

    private static final Path TCP = Path.of("/proc/net/tcp");
    private static final Path TCP6 = Path.of("/proc/net/tcp6");
    private static final String LISTEN = "0A";

    /** One LISTEN line: its local address, how many connections wait to be accepted, and its inode. */
    public record Entry(InetSocketAddress address, int acceptQueue, long inode) {}

    private ListeningSockets() {}

    /** Every listening TCP socket of this network namespace (all processes'). */
    public static List<Entry> all() {
        List<Entry> out = new ArrayList<>();
        read(TCP, false, out);
        read(TCP6, true, out);
        return out;
    }

    /**
     * A listening socket of another process that a bind of {@code address} would share (same port,
     * and the same address or a wildcard on either side), or null. "Another process" means a socket
     * none of our own descriptors refers to: ours may overlap (a reload moves a listener by binding
     * the new socket before closing the old one; a handover adopts the old process's own socket).
     */
    public static Entry ownedByAnother(InetSocketAddress address) {
        if (address.getPort() == 0) {
            return null; // the kernel picks a free port
        }
        List<Entry> overlapping = new ArrayList<>();
        for (Entry e : all()) {
            if (e.address().getPort() == address.getPort() && overlaps(e.address().getAddress(), address.getAddress())) {
                overlapping.add(e);
            }
        }
        if (overlapping.isEmpty()) {
            return null;
        }
        Set<Long> ours = ownSocketInodes();
        for (Entry e : overlapping) {
            if (!ours.contains(e.inode())) {
                return e;
            }
        }
        return null;
    }

    /** How many connections wait in the accept queue of the listening socket {@code fd} of this process; empty if unknown. */
    public static OptionalInt acceptQueue(int fd) {
        long inode = inodeOf(Path.of("/proc/self/fd", Integer.toString(fd)));
        if (inode < 0) {
            return OptionalInt.empty();
        }
        for (Entry e : all()) {
            if (e.inode() == inode) {
                return OptionalInt.of(e.acceptQueue());
            }
        }
        return OptionalInt.empty();
    }

    private static boolean overlaps(InetAddress a, InetAddress b) {
        return a == null || b == null || a.isAnyLocalAddress() || b.isAnyLocalAddress() || a.equals(b);
    }

    /** The inodes of the sockets this process's descriptors refer to. */
    static Set<Long> ownSocketInodes() {
        Set<Long> inodes = new HashSet<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path fd : fds) {
                long inode = inodeOf(fd);
                if (inode >= 0) {
                    inodes.add(inode);
                }
            }
        } catch (IOException | RuntimeException e) {
            // no /proc: nothing is known to be ours, and nothing was found to be anyone else's either
        }
        return inodes;
    }

    /** {@code socket:[12345]} → 12345; -1 for anything else (a file, a closed descriptor). */
    private static long inodeOf(Path fdLink) {
        try {
            String target = Files.readSymbolicLink(fdLink).toString();
            if (target.startsWith("socket:[") && target.endsWith("]")) {
                return Long.parseLong(target.substring(8, target.length() - 1));
            }
        } catch (IOException | RuntimeException e) {
            // closed meanwhile, or not a link
        }
        return -1;
    }

    private static void read(Path table, boolean v6, List<Entry> out) {
        try (BufferedReader r = Files.newBufferedReader(table)) {
            r.readLine(); // the header
            String line;
            while ((line = r.readLine()) != null) {
                String[] f = line.trim().split("\\s+");
                if (f.length < 10) {
                    continue;
                }
                if (!LISTEN.equals(f[3])) {
                    break; // listening sockets come first
                }
                int colon = f[1].indexOf(':');
                InetAddress host = address(f[1].substring(0, colon), v6);
                int port = Integer.parseInt(f[1].substring(colon + 1), 16);
                int queue = Integer.parseInt(f[4].substring(f[4].indexOf(':') + 1), 16);
                out.add(new Entry(new InetSocketAddress(host, port), queue, Long.parseLong(f[9])));
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or an unexpected format: we learn nothing, and refuse nothing
        }
    }

    /** The kernel prints each 32-bit word of the address in host (little-endian) order. */
    private static InetAddress address(String hex, boolean v6) throws UnknownHostException {
        byte[] bytes = new byte[v6 ? 16 : 4];
        for (int word = 0; word < bytes.length / 4; word++) {
            long w = Long.parseLong(hex.substring(word * 8, word * 8 + 8), 16);
            for (int i = 0; i < 4; i++) {
                bytes[word * 4 + i] = (byte) (w >>> (8 * i));
            }
        }
        return InetAddress.getByAddress(bytes); // ::ffff:a.b.c.d comes back as the IPv4 address
    }
}
