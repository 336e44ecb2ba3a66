package io.sluice.transport;

import io.netty.channel.Channel;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.UnixChannel;
import java.io.IOException;

/**
 * The raw descriptors behind native channels, for handing sockets to another process
 * (docs/handover.md). A socket lives until the last descriptor of it is closed in any process, so
 * closing one process's copy here never ends a connection the other process holds.
 */
public final class Descriptors {

    private Descriptors() {}

    /** The descriptor of a native (epoll) channel. */
    public static int of(Channel ch) {
        return ((UnixChannel) ch).fd().intValue();
    }

    /** Closes this process's copy with a plain close(2): no shutdown, no linger. Already closed is fine. */
    public static void close(int fd) {
        try {
            new FileDescriptor(fd).close();
        } catch (IOException alreadyClosed) {
            // nothing left to release
        }
    }
}
