package io.sluice.daemon;

import io.netty.channel.EventLoopGroup;
import io.sluice.admin.AdminOperations;
import io.sluice.admin.AdminServer;
import io.sluice.config.AdminConfig;
import io.sluice.listener.Listener;
import io.sluice.transport.Transport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API's socket: bound at start, or adopted from the process this one takes over from;
 * paused and closed by a handover. The API itself is {@link AdminOperations} (the daemon's
 * {@link DaemonAdmin}). Thread-safe: the starting thread, the handover thread and the stop path
 * use it; the server is published with one volatile write.
 */
final class AdminEndpoint {

    private static final Logger log = LoggerFactory.getLogger(AdminEndpoint.class);

    private final AdminConfig config;
    private final AdminOperations operations;
    private final Transport transport;
    private final EventLoopGroup loop;
    private volatile AdminServer server;

    /** @param config the {@code admin} settings, or null for a daemon without an admin API */
    AdminEndpoint(AdminConfig config, AdminOperations operations, Transport transport, EventLoopGroup loop) {
        this.config = config;
        this.operations = operations;
        this.transport = transport;
        this.loop = loop;
    }

    /** Binds the admin API (nothing when the config has none). */
    void start() throws Listener.BindFailedException {
        start(-1);
    }

    /** Serves the admin API on the socket the process we take over from handed over; false if it cannot. */
    boolean adopt(int fd) {
        try {
            start(fd);
            return server != null;
        } catch (Listener.BindFailedException e) {
            log.error("{}; the admin API will be bound anew", e.getMessage());
            return false;
        }
    }

    private void start(int inheritedFd) throws Listener.BindFailedException {
        if (config == null) {
            return;
        }
        String token = null;
        Path tokenFile = config.tokenFile();
        if (inheritedFd < 0 && config.bind().getAddress() != null && config.bind().getAddress().isAnyLocalAddress()) {
            log.warn("admin.bind {} is a wildcard address: the admin API (pools, backends, client addresses) answers"
                    + " on every interface; bind it to 127.0.0.1 or a management address", config.bind().getAddress().getHostAddress());
        }
        if (tokenFile != null) {
            warnIfReadableByOthers(tokenFile);
            try {
                token = Files.readString(tokenFile).strip();
            } catch (IOException e) {
                throw new Listener.BindFailedException("cannot read admin token file " + tokenFile + ": " + e.getMessage(), e);
            }
        }
        try {
            server = AdminServer.start(config.bind(), config.allowedHosts(), operations, token, transport, loop, inheritedFd);
        } catch (AdminServer.BindFailedException e) {
            throw new Listener.BindFailedException(e.getMessage(), e);
        }
    }

    /**
     * A token others can read is a token others can use: warned, not refused, so an upgrade never
     * fails over a file mode (docs/operations.md, "Admin API security").
     */
    private static void warnIfReadableByOthers(Path tokenFile) {
        try {
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(tokenFile);
            if (mode.contains(PosixFilePermission.GROUP_READ) || mode.contains(PosixFilePermission.OTHERS_READ)) {
                log.warn("admin token file {} is readable by {} (mode {}): chmod 600 {}", tokenFile,
                        mode.contains(PosixFilePermission.OTHERS_READ) ? "every user" : "its group",
                        PosixFilePermissions.toString(mode), tokenFile);
            }
        } catch (IOException | UnsupportedOperationException e) {
            // no POSIX modes here, or unreadable: reading it below says so
        }
    }

    /** The API this endpoint serves. */
    AdminOperations operations() {
        return operations;
    }

    /** Whether it is serving (bound or adopted). */
    boolean running() {
        return server != null;
    }

    /** The running server, or null. */
    AdminServer server() {
        return server;
    }

    /** Where it listens, or null when it does not. */
    InetSocketAddress address() {
        AdminServer s = server;
        return s == null ? null : s.localAddress();
    }

    /** Closes the socket and its open (keep-alive) connections. Safe twice. */
    void close() {
        AdminServer s = server;
        if (s != null) {
            s.close();
        }
    }
}
