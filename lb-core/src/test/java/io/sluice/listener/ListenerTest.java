package io.sluice.listener;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.sluice.config.ListenerConfig;
import io.sluice.config.ListenerMode;
import io.sluice.proxy.FrontendInitializer;
import io.sluice.transport.Transport;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The listening socket's set-up (the relay through it is tested end to end elsewhere). */
class ListenerTest {

    /** AcceptBatchTest shows what the policy does through real sockets; here, that listeners use it. */
    @Test
    void epollListenersAcceptInBatches() throws InterruptedException {
        assumeTrue(Transport.EPOLL.isAvailable(), "epoll is not available here");
        EventLoopGroup group = Transport.EPOLL.newEventLoopGroup(1, "listener-test");
        try {
            assertSame(Transport.EPOLL.acceptBatches(), optionOf(group));
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
        assertNotNull(Transport.EPOLL.acceptBatches());
    }

    private static Object optionOf(EventLoopGroup group) {
        ListenerConfig config = new ListenerConfig("web", new InetSocketAddress("127.0.0.1", 0), ListenerMode.TCP,
                "pool", null, List.of(), 1);
        return Listener.bootstrap(config, new FrontendInitializer(null), Transport.EPOLL, group)
                .config().options().get(ChannelOption.RCVBUF_ALLOCATOR);
    }
}
