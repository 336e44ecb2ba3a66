package io.sluice.health;

import io.netty.channel.Channel;
import java.net.InetSocketAddress;

/** Healthy when a TCP connect completes within the timeout; the connection is then closed at once. */
final class TcpCheck implements ActiveCheck {

    static final TcpCheck INSTANCE = new TcpCheck();

    private TcpCheck() {
    }

    @Override
    public void initChannel(Channel channel, InetSocketAddress address, Probe probe) {
        // nothing to say: the connect is the check
    }

    @Override
    public boolean doneOnConnect() {
        return true;
    }
}
