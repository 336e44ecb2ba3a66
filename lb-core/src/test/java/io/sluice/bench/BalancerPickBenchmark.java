package io.sluice.bench;

import io.sluice.backend.Backend;
import io.sluice.balance.Balancer;
import io.sluice.balance.KeyHash;
import io.sluice.balance.MaglevTable;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The cost of stickiness at pick time: a Maglev pick for a client's key against a smooth round-robin
 * pick, over the same 10 or 100 equal-weight backends, in one run.
 *
 * <p>{@code maglevPick} is the table lookup alone, for a key hash computed earlier (the data path
 * hashes the client's key once per connection, whatever the algorithm: {@code Pool.keyOf});
 * {@code maglevPickWithKeyHash} adds that XXH64 of the 4-byte IPv4 address, so it is the whole
 * per-connection price of Maglev. Keys are 4096 random client addresses taken in turn, so lookups land
 * all over the 65537-slot table (256 KiB of slots) as real traffic does, not on one cached slot.
 *
 * <p>Round-robin is one uncontended {@code AtomicLong.getAndIncrement} here; with several event loops
 * picking from one pool that counter is shared and costs more, while Maglev's table is read-only.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class BalancerPickBenchmark {

    private static final int CLIENTS = 4096; // a power of two: the index wraps with a mask

    @Param({"10", "100"})
    public int backends;

    private Balancer maglev;
    private Balancer roundRobin;
    private byte[][] clientAddresses;
    private long[] clientHashes;
    /** What BackendConnector passes on a first attempt: an empty list of backends already tried. */
    private Collection<Backend> tried;
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws UnknownHostException {
        List<Backend> list = new ArrayList<>(backends);
        for (int i = 0; i < backends; i++) {
            InetAddress address = InetAddress.getByAddress(new byte[] {10, 0, (byte) (i >>> 8), (byte) i});
            list.add(new Backend("backend-" + i, new InetSocketAddress(address, 8080), 1));
        }
        maglev = Balancer.maglev(list, MaglevTable.DEFAULT_SIZE);
        roundRobin = Balancer.roundRobin(list);
        SplittableRandom random = new SplittableRandom(42);
        clientAddresses = new byte[CLIENTS][4];
        clientHashes = new long[CLIENTS];
        for (int i = 0; i < CLIENTS; i++) {
            int ip = random.nextInt();
            clientAddresses[i] = new byte[] {(byte) (ip >>> 24), (byte) (ip >>> 16), (byte) (ip >>> 8), (byte) ip};
            clientHashes[i] = KeyHash.of(clientAddresses[i]);
        }
        tried = new ArrayList<>(2);
    }

    private int nextIndex() {
        next = (next + 1) & (CLIENTS - 1);
        return next;
    }

    @Benchmark
    public Backend maglevPick() {
        return maglev.pick(clientHashes[nextIndex()], tried);
    }

    @Benchmark
    public Backend maglevPickWithKeyHash() {
        return maglev.pick(KeyHash.of(clientAddresses[nextIndex()]), tried);
    }

    /** Reads the same key array as maglevPick, so the two differ only in the pick. */
    @Benchmark
    public Backend roundRobinPick() {
        return roundRobin.pick(clientHashes[nextIndex()], tried);
    }
}
