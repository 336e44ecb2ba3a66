package io.sluice.bench;

import io.sluice.config.StickyConfig;
import io.sluice.config.StickyKeyType;
import io.sluice.sticky.StickTable;
import io.sluice.sticky.StickyKey;
import io.sluice.sticky.StickyKeyExtractor;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The stick table on the connect path of a sticky pool: a returning client found among 10 000
 * remembered ones ({@code hit}), a new client looked up and remembered ({@code missAndInsert}), and
 * the client's key made from its address ({@code keyOfSourceIp}, paid by every connection of every
 * pool, since Maglev hashes the same key).
 *
 * <p>The table's clock is {@code System.nanoTime} plus a skew, as in the daemon (every insert reads
 * it); the skew lets {@link Inserts} expire entries on demand.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class StickTableBenchmark {

    static final int WARM = 10_000;
    static final Duration TTL = StickyConfig.DEFAULT_TABLE_TTL;

    private StickyKeyExtractor extractor;
    private StickTable table;
    private StickyKey[] warmKeys;
    private InetAddress[] clients;
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws UnknownHostException {
        extractor = extractor();
        table = new StickTable(TTL, StickyConfig.DEFAULT_TABLE_SIZE, System::nanoTime);
        clients = new InetAddress[WARM];
        warmKeys = new StickyKey[WARM];
        for (int i = 0; i < WARM; i++) {
            clients[i] = address(10, i);
            warmKeys[i] = extractor.keyOf(clients[i]);
            table.remember(warmKeys[i], "backend-" + (i % 10));
        }
    }

    static StickyKeyExtractor extractor() {
        return new StickyKeyExtractor(new StickyConfig(StickyKeyType.SOURCE_IP, StickyConfig.DEFAULT_PREFIX_V4,
                StickyConfig.DEFAULT_PREFIX_V6, TTL, StickyConfig.DEFAULT_TABLE_SIZE));
    }

    static InetAddress address(int first, int i) throws UnknownHostException {
        return InetAddress.getByAddress(new byte[] {(byte) first, (byte) (i >>> 16), (byte) (i >>> 8), (byte) i});
    }

    private int nextIndex() {
        int i = next + 1;
        next = i == WARM ? 0 : i;
        return next;
    }

    @Benchmark
    public StickTable.Entry hit() {
        return table.get(warmKeys[nextIndex()]);
    }

    @Benchmark
    public StickyKey keyOfSourceIp() {
        return extractor.keyOf(clients[nextIndex()]);
    }

    /**
     * Inserting would grow a table without bound over a run, so each invocation inserts a batch of
     * new keys into a table of 10 000 and the next invocation's setup (not timed) removes them with
     * the table's own {@link StickTable#sweep()}: the clock jumps past the TTL, and the warm entries,
     * pinned as those of open connections are, stay.
     */
    @State(Scope.Thread)
    public static class Inserts {
        static final int BATCH = 8192;

        StickTable table;
        StickyKey[] newKeys;
        private long clockSkew;

        @Setup(Level.Trial)
        public void setUp() throws UnknownHostException {
            StickyKeyExtractor extractor = extractor();
            table = new StickTable(TTL, StickyConfig.DEFAULT_TABLE_SIZE, () -> System.nanoTime() + clockSkew);
            for (int i = 0; i < WARM; i++) {
                table.remember(extractor.keyOf(address(10, i)), "backend-" + (i % 10)).pin();
            }
            newKeys = new StickyKey[BATCH];
            for (int i = 0; i < BATCH; i++) {
                newKeys[i] = extractor.keyOf(address(172, i));
            }
        }

        @Setup(Level.Invocation)
        public void expireLastBatch() {
            clockSkew += TTL.toNanos() + 1;
            table.sweep();
            if (table.size() != WARM) {
                throw new IllegalStateException("table has " + table.size() + " entries, expected " + WARM);
            }
        }
    }

    @Benchmark
    @OperationsPerInvocation(Inserts.BATCH)
    public void missAndInsert(Inserts inserts, Blackhole bh) {
        StickTable t = inserts.table;
        for (StickyKey key : inserts.newKeys) {
            StickTable.Entry entry = t.get(key);
            if (entry == null) {
                entry = t.remember(key, "backend-3");
            }
            bh.consume(entry);
        }
    }
}
