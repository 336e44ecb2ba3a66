package io.sluice.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.sluice.config.TlsListenerConfig;
import io.sluice.tls.ClientHelloParser;
import io.sluice.tls.ClientHellos;
import io.sluice.tls.ParseResult;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * {@link ClientHelloParser#parse} on the bytes a real client sends: the JDK's SSLEngine (TLS 1.3 and
 * 1.2 offered, SNI {@code chat.example.com}, ALPN h2 and http/1.1), captured once at setup.
 *
 * <p>Each tls-listener connection pays this once per read until the hello is complete, so the three
 * cases are: the whole hello in one record and one read (the usual case), the same hello fragmented
 * into small records (some clients and middleboxes do this; the parser walks it through a cursor
 * that hops record headers), and the first half of it (the verdict {@code NeedMore} after a short
 * read, paid again in full on the next read).
 *
 * <p>The buffer is direct, as the epoll transport reads into; parse never moves its indexes, so one
 * buffer serves every call.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ClientHelloParseBenchmark {

    /** Payload bytes per record in the fragmented case: a ~500-byte hello becomes about five records. */
    private static final int FRAGMENT = 128;

    private int maxClientHello = TlsListenerConfig.DEFAULT_MAX_CLIENT_HELLO;
    private ByteBuf oneRecord;
    private ByteBuf fragmented;
    private ByteBuf firstHalf;

    @Setup(Level.Trial)
    public void setUp() {
        byte[] hello = ClientHellos.jdkClientHello("chat.example.com", List.of("h2", "http/1.1"));
        oneRecord = direct(hello);
        fragmented = direct(ClientHellos.reframe(hello, FRAGMENT));
        firstHalf = direct(Arrays.copyOf(hello, hello.length / 2));
        // Fail at setup, not with a fast wrong answer, if the bytes are not what this measures.
        expectHello(oneRecord);
        expectHello(fragmented);
        if (ClientHelloParser.parse(firstHalf, maxClientHello) != ParseResult.NEED_MORE) {
            throw new IllegalStateException("half a hello should need more bytes");
        }
    }

    private void expectHello(ByteBuf buf) {
        ParseResult r = ClientHelloParser.parse(buf, maxClientHello);
        if (!(r instanceof ParseResult.Hello h) || !"chat.example.com".equals(h.info().serverName())) {
            throw new IllegalStateException("not parsed as the expected hello: " + r);
        }
    }

    private static ByteBuf direct(byte[] bytes) {
        ByteBuf buf = Unpooled.directBuffer(bytes.length);
        buf.writeBytes(bytes);
        return buf;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        oneRecord.release();
        fragmented.release();
        firstHalf.release();
    }

    @Benchmark
    public ParseResult oneRecord() {
        return ClientHelloParser.parse(oneRecord, maxClientHello);
    }

    @Benchmark
    public ParseResult fragmented() {
        return ClientHelloParser.parse(fragmented, maxClientHello);
    }

    @Benchmark
    public ParseResult incomplete() {
        return ClientHelloParser.parse(firstHalf, maxClientHello);
    }
}
