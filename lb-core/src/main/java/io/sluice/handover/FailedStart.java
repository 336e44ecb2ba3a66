package io.sluice.handover;

import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * A new process started with {@code --takeover SOCKET} that cannot even begin (its config is
 * rejected) says why to the running daemon, so the old daemon's status shows the reason as its last
 * handover ({@code aborted: ...}) instead of nothing: whoever launched it (sluicectl, systemd, a
 * shell) may not keep the new process's output. One REFUSED frame as the first frame; the old side
 * records it and closes. Best effort: a daemon that does not answer is not an error here.
 *
 * <p>Thread ownership: none; called once on the main thread of a process about to exit.
 */
public final class FailedStart {

    private FailedStart() {}

    /** Tells the daemon on {@code socket} that this process gives up, and why; false if it could not be told. */
    public static boolean tell(Path socket, String why) {
        ByteBuf frame = Wire.encode(Wire.Type.REFUSED, new Messages.Refused(why));
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            ByteBuffer out = ByteBuffer.allocate(4 + frame.readableBytes());
            out.putInt(frame.readableBytes());
            frame.readBytes(out);
            out.flip();
            while (out.hasRemaining()) {
                channel.write(out);
            }
            // The old side closes after recording it; reading that close means it was read.
            channel.read(ByteBuffer.allocate(256));
            return true;
        } catch (IOException e) {
            return false;
        } finally {
            frame.release();
        }
    }
}
