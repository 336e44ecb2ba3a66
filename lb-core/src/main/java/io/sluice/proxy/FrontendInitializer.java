package io.sluice.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;

/**
 * Sets up the pipeline of every accepted client channel: idle timeout (one timer per
 * connection, counting traffic in both directions, since backend bytes are written to this
 * channel), then the relay.
 */
public final class FrontendInitializer extends ChannelInitializer<Channel> {

    private final FrontendSettings settings;

    public FrontendInitializer(FrontendSettings settings) {
        this.settings = settings;
    }

    @Override
    protected void initChannel(Channel ch) {
        long idleMillis = settings.idle().toMillis();
        if (idleMillis > 0) {
            ch.pipeline().addLast("idle", new IdleStateHandler(0, 0, idleMillis, TimeUnit.MILLISECONDS));
        }
        ch.pipeline().addLast("relay", new FrontendHandler(settings));
    }
}
