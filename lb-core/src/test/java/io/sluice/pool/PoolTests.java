package io.sluice.pool;

import io.sluice.backend.Backend;
import io.sluice.harness.Clients;
import io.sluice.harness.Ports;
import io.sluice.harness.RunningDaemon;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Small helpers shared by the pool integration tests. */
final class PoolTests {

    private PoolTests() {
    }

    /** 127.{@code b}.{@code c}.{@code d}: any of them is loopback on Linux. */
    static InetAddress loopback(int b, int c, int d) {
        try {
            return InetAddress.getByAddress(new byte[] {127, (byte) b, (byte) c, (byte) d});
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** 127.0.{@code third}.{@code from} .. 127.0.{@code third}.{@code to}, inclusive. */
    static List<InetAddress> clients(int third, int from, int to) {
        List<InetAddress> out = new ArrayList<>();
        for (int d = from; d <= to; d++) {
            out.add(loopback(0, third, d));
        }
        return out;
    }

    /** {@code n} sequential connections (connect, read the greeting, close); counts by backend name. */
    static Map<String, Integer> tally(RunningDaemon daemon, int n) throws IOException {
        Map<String, Integer> counts = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            counts.merge(String.valueOf(Clients.backendNameVia(daemon.address())), 1, Integer::sum);
        }
        return counts;
    }

    /** One connection per client; the backend each reached (in client order). */
    static Map<InetAddress, String> backendOfEach(RunningDaemon daemon, List<InetAddress> clients) throws IOException {
        Map<InetAddress, String> out = new LinkedHashMap<>();
        for (InetAddress c : clients) {
            out.put(c, String.valueOf(Clients.backendNameVia(daemon.address(), c)));
        }
        return out;
    }

    static Map<String, Integer> spread(Map<InetAddress, String> assignment) {
        Map<String, Integer> counts = new TreeMap<>();
        assignment.values().forEach(name -> counts.merge(name, 1, Integer::sum));
        return counts;
    }

    /** A loopback port that was bound and then closed: connects to it are refused. */
    static InetSocketAddress deadAddress() {
        return Ports.deadAddress();
    }

    static Backend backendNamed(RunningDaemon daemon, String name) {
        return daemon.pool().backends().stream()
                .filter(b -> b.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no backend " + name));
    }
}
