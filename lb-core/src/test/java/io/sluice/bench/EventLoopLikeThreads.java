package io.sluice.bench;

import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * JMH's worker threads as Netty {@code FastThreadLocalThread}s, the kind of thread event loops run
 * on. Netty's Recycler pools objects (outbound buffer entries, derived buffers) only on such threads
 * by default, so on JMH's plain threads a Netty benchmark would allocate what the daemon reuses.
 *
 * <p>Used by a benchmark with {@code @Fork(jvmArgsAppend = {"-Djmh.executor=CUSTOM",
 * "-Djmh.executor.class=io.sluice.bench.EventLoopLikeThreads"})}; JMH calls the
 * {@code (int, String)} constructor.
 */
public final class EventLoopLikeThreads extends ThreadPoolExecutor {

    public EventLoopLikeThreads(int maxThreads, String prefix) {
        super(maxThreads, maxThreads, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>(),
                new DefaultThreadFactory(prefix, true));
    }
}
