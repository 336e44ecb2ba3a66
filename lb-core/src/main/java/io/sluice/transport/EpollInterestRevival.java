package io.sluice.transport;

import io.netty.channel.Channel;
import io.netty.channel.IoOps;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollSocketChannel;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Works around a Netty 4.2.18 epoll defect that cut downloads short after a client's FIN.
 *
 * <p>The defect: when a channel's epoll interest set becomes empty, Netty takes the descriptor
 * out of epoll ({@code EPOLL_CTL_DEL}, since netty/netty#16689) but its registration still
 * believes the descriptor is in, so the next interest is an {@code EPOLL_CTL_MOD} that fails with
 * ENOENT, and Netty closes the channel with a FIN, dropping what it had queued. The set becomes
 * empty exactly when a peer has half-closed (its input is shut down: no EPOLLIN, no EPOLLRDHUP)
 * and nothing waits to be written; the next interest is EPOLLOUT once the peer's socket buffer is
 * full. So a client that sent its request and FIN, then downloaded more than a socket buffer, got
 * a clean end of stream after a few megabytes (RelayTest reproduces it every time; the access
 * log said {@code client-close}).
 *
 * <p>The repair: {@link #install} puts a registration in front of Netty's that, when an interest
 * fails with ENOENT, marks Netty's registration "not added" and submits the interest again,
 * which makes it an {@code EPOLL_CTL_ADD}. That takes two private fields of Netty's (the
 * channel's registration and the registration's state), read once; without them (another Netty)
 * nothing is installed, one warning says so, and RelayTest fails, so an upgrade cannot drop the
 * repair silently. Remove this class once Netty re-adds descriptors itself.
 *
 * <p>Event loop of the channel only (where Netty registers channels and submits interests).
 */
public final class EpollInterestRevival {

    private static final Logger log = LoggerFactory.getLogger(EpollInterestRevival.class);

    private static final Field CHANNEL_REGISTRATION;
    private static final Field REGISTRATION_STATE;
    private static final Object NOT_ADDED;

    static {
        Field registration = null;
        Field state = null;
        Object notAdded = null;
        try {
            registration = Class.forName("io.netty.channel.epoll.AbstractEpollChannel").getDeclaredField("registration");
            registration.setAccessible(true);
            Class<?> nettyRegistration = Class.forName("io.netty.channel.epoll.EpollIoHandler$DefaultEpollIoRegistration");
            state = nettyRegistration.getDeclaredField("state");
            state.setAccessible(true);
            notAdded = constant(state.getType(), "Pending");
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.warn("this Netty's epoll registration cannot be repaired ({}); a half-closed client's download"
                    + " may end early", e.toString());
            registration = null;
        }
        CHANNEL_REGISTRATION = registration;
        REGISTRATION_STATE = state;
        NOT_ADDED = notAdded;
    }

    private EpollInterestRevival() {}

    /** Installs the repair on a registered epoll connection; does nothing for other channels, or twice. */
    public static void install(Channel ch) {
        if (CHANNEL_REGISTRATION == null || !(ch instanceof EpollSocketChannel) || !ch.isRegistered()) {
            return;
        }
        try {
            Object current = CHANNEL_REGISTRATION.get(ch);
            if (current instanceof IoRegistration netty && !(current instanceof Reviving)) {
                CHANNEL_REGISTRATION.set(ch, new Reviving(netty));
            }
        } catch (IllegalAccessException e) {
            log.debug("cannot install the epoll repair on {}: {}", ch, e.toString());
        }
    }

    private static Object constant(Class<?> enumType, String name) throws NoSuchFieldException {
        for (Object constant : enumType.getEnumConstants()) {
            if (((Enum<?>) constant).name().equals(name)) {
                return constant;
            }
        }
        throw new NoSuchFieldException(enumType.getName() + "." + name);
    }

    /** Netty's registration, re-adding the descriptor when Netty's own MOD finds it gone. */
    private static final class Reviving implements IoRegistration {
        private final IoRegistration netty;

        private Reviving(IoRegistration netty) {
            this.netty = netty;
        }

        @Override
        public <T> T attachment() {
            return netty.attachment();
        }

        @Override
        public long submit(IoOps ops) {
            try {
                return netty.submit(ops);
            } catch (UncheckedIOException e) {
                if (!notInEpoll(e)) {
                    throw e;
                }
                try {
                    Object epoll = epollRegistration(netty);
                    synchronized (epoll) { // Netty changes the state under this lock
                        REGISTRATION_STATE.set(epoll, NOT_ADDED);
                    }
                } catch (ReflectiveOperationException | RuntimeException cannot) {
                    log.warn("cannot re-add a descriptor to epoll ({}); the connection closes", cannot.toString());
                    throw e;
                }
                return netty.submit(ops); // now an EPOLL_CTL_ADD with the whole interest set
            }
        }

        @Override
        public boolean isValid() {
            return netty.isValid();
        }

        @Override
        public boolean cancel() {
            return netty.cancel();
        }

        /**
         * The epoll handler's own registration: the event loop hands the channel a wrapper of it
         * (which counts registrations), so look through fields of type IoRegistration.
         */
        private static Object epollRegistration(Object registration) throws ReflectiveOperationException {
            Object current = registration;
            for (int depth = 0; depth < 4; depth++) {
                if (REGISTRATION_STATE.getDeclaringClass().isInstance(current)) {
                    return current;
                }
                Object inner = null;
                for (Field f : current.getClass().getDeclaredFields()) {
                    if (IoRegistration.class.isAssignableFrom(f.getType())) {
                        f.setAccessible(true);
                        inner = f.get(current);
                        break;
                    }
                }
                if (inner == null) {
                    break;
                }
                current = inner;
            }
            throw new NoSuchFieldException("epoll registration inside " + registration.getClass().getName());
        }

        private static boolean notInEpoll(UncheckedIOException e) {
            String message = String.valueOf(e.getCause() == null ? e.getMessage() : e.getCause().getMessage());
            return message.contains("No such file or directory") || message.contains("ENOENT");
        }
    }
}
