package io.sluice.harness;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PortsTest {

    @Test
    void portsComeFromBelowTheEphemeralRangeAndAreNeverHandedOutTwice() throws Exception {
        int ephemeralLow = Integer.parseInt(
                Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).trim().split("\\s+")[0]);
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            int port = Ports.freePort();
            assertTrue(port >= 1024 && port < ephemeralLow, "port " + port + " is in the ephemeral range");
            assertTrue(seen.add(port), "port " + port + " handed out twice");
        }
    }

    @Test
    void aPortSomeoneListensOnIsSkipped() throws Exception {
        int first = Ports.freePort();
        // Occupy the next few ports the counter will reach; none of them may be handed out.
        Set<Integer> held = new HashSet<>();
        Set<ServerSocket> sockets = new HashSet<>();
        try {
            for (int p = first + 1; p <= first + 5; p++) {
                try {
                    sockets.add(new ServerSocket(p, 1, InetAddress.getLoopbackAddress()));
                    held.add(p);
                } catch (IOException alreadyTaken) {
                    // someone else holds it: skipped either way
                }
            }
            for (int i = 0; i < 5; i++) {
                int port = Ports.freePort();
                assertFalse(held.contains(port), "handed out " + port + ", which a test socket holds");
            }
        } finally {
            for (ServerSocket s : sockets) {
                s.close();
            }
        }
    }

    @Test
    void aDeadAddressRefusesConnections() {
        var dead = Ports.deadAddress();
        assertThrows(ConnectException.class, () -> new Socket(dead.getAddress(), dead.getPort()).close());
    }
}
