package io.sluice.transport;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which {@link Transport} this process runs: what {@code -Dsluice.transport} asks for, or the best
 * the platform has, each choice and each fallback said in one log line. Stateless; any thread.
 */
final class TransportChoice {

    private static final Logger log = LoggerFactory.getLogger(Transport.class);

    private TransportChoice() {}

    /**
     * Epoll where the platform has it, with tcp and tls listeners on the socket relay ({@link
     * Transport#EPOLL_SOCKETS}), else NIO with a warning that says why.
     * {@code -Dsluice.transport=epoll-sockets|epoll|io_uring|nio} asks for one ({@code epoll}: every
     * listener on Netty channels, the default before the socket relay); an unavailable choice is
     * reported in one line and the next best is used (io_uring falls back to epoll, epoll to NIO).
     *
     * <p>io_uring is opt-in: it halves the system calls per connection (docs/performance.md), but
     * until Netty 4.2.18's multishot-poll defect ({@link IoUringLevelPoll}) was found it lost
     * client resets, and the default changes only on a side-by-side measurement on a quiet machine
     * (as the socket relay's did: docs/performance.md, "Round 7").
     */
    static Transport fromProperty() {
        String wanted = System.getProperty("sluice.transport", "").trim().toLowerCase(Locale.ROOT);
        switch (wanted) {
            case "nio" -> {
                log.warn("Using the NIO transport because -Dsluice.transport=nio is set");
                return Transport.NIO;
            }
            case "epoll" -> {
                if (Epoll.isAvailable()) {
                    log.info("Using the epoll transport with every listener on Netty channels (-Dsluice.transport=epoll)");
                    return Transport.EPOLL;
                }
                log.warn("-Dsluice.transport=epoll: epoll is unavailable ({})", String.valueOf(Epoll.unavailabilityCause()));
            }
            case "epoll-sockets", "epoll_sockets" -> {
                if (Epoll.isAvailable()) {
                    return Transport.EPOLL_SOCKETS;
                }
                log.warn("-Dsluice.transport={}: epoll is unavailable ({})", wanted, String.valueOf(Epoll.unavailabilityCause()));
            }
            case "io_uring", "io-uring", "iouring" -> {
                if (IoUring.isAvailable()) {
                    log.info("Using the io_uring transport (-Dsluice.transport={}){}", wanted,
                            IoUringLevelPoll.inEffect() ? ", with one-shot polls" : "");
                    return Transport.IO_URING;
                }
                log.warn("-Dsluice.transport={}: io_uring is unavailable ({}); trying epoll", wanted,
                        String.valueOf(IoUring.unavailabilityCause()));
                return epollOrNio();
            }
            case "", "auto" -> {
                // epoll with the socket relay, below
            }
            default -> log.warn("-Dsluice.transport={} is not one of epoll, epoll-sockets, io_uring, nio; using the default", wanted);
        }
        return epollOrNio();
    }

    private static Transport epollOrNio() {
        if (Epoll.isAvailable()) {
            return Transport.EPOLL_SOCKETS;
        }
        log.warn("Native epoll transport unavailable ({}); falling back to NIO: lower throughput",
                String.valueOf(Epoll.unavailabilityCause()));
        return Transport.NIO;
    }
}
