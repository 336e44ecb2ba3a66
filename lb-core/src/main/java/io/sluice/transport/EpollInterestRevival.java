package io.sluice.transport;

import io.netty.channel.Channel;
import io.netty.channel.IoOps;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.epoll.EpollSocketChannel;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sits in front of Netty 4.2.18's epoll registration of each relayed socket: repairs a defect that
 * cut downloads short after a client's FIN, and leaves out {@code epoll_ctl} calls that change nothing.
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
 * <p>The repair: once an empty interest set has taken the descriptor out, {@link #install}'s
 * registration marks Netty's registration "not added", so the next interest is an
 * {@code EPOLL_CTL_ADD}; and if a MOD still fails with ENOENT it does the same and submits again.
 *
 * <p>The calls left out (measured with strace under connection churn, docs/performance.md "Round 3"):
 * an interest equal to the one the kernel has already (Netty submits the same set again when a
 * backend connect completes: one MOD per connection), which the registration knows because it
 * remembers what it last gave the kernel; and, once a peer's FIN was read and the input shut
 * down, EPOLLIN and EPOLLRDHUP, which Netty clears one at a time over the next wake-ups (a MOD, a
 * wake-up that reads the end of stream again, then the DEL: now the DEL at once). Epoll is
 * level-triggered in Netty 4.2, so a MOD to the same set changes nothing the loop would see.
 *
 * <p>It takes two private fields of Netty's (the channel's registration and the registration's
 * state), read once; without them (another Netty) nothing is installed, one warning says so,
 * {@code SocketCloseTest} fails (it asserts {@link #available}), and RelayTest fails, so an
 * upgrade cannot drop the repair silently. Remove this class once Netty re-adds descriptors and
 * skips unchanged interests itself.
 *
 * <p>Event loop of the channel only (where Netty registers channels and submits interests).
 */
public final class EpollInterestRevival {

    private static final Logger log = LoggerFactory.getLogger(EpollInterestRevival.class);

    private static final Field CHANNEL_REGISTRATION;
    private static final Field REGISTRATION_STATE;
    private static final Object NOT_ADDED;
    private static final Object ADDED;

    static {
        Field registration = null;
        Field state = null;
        Object notAdded = null;
        Object added = null;
        try {
            registration = Class.forName("io.netty.channel.epoll.AbstractEpollChannel").getDeclaredField("registration");
            registration.setAccessible(true);
            Class<?> nettyRegistration = Class.forName("io.netty.channel.epoll.EpollIoHandler$DefaultEpollIoRegistration");
            state = nettyRegistration.getDeclaredField("state");
            state.setAccessible(true);
            notAdded = constant(state.getType(), "Pending");
            added = constant(state.getType(), "Added");
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.warn("this Netty's epoll registration cannot be repaired ({}); a half-closed client's download"
                    + " may end early", e.toString());
            registration = null;
        }
        CHANNEL_REGISTRATION = registration;
        REGISTRATION_STATE = state;
        NOT_ADDED = notAdded;
        ADDED = added;
    }

    /** Whether this Netty's registration could be reached (false: nothing is installed, see the class comment). */
    public static boolean available() {
        return CHANNEL_REGISTRATION != null;
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
                CHANNEL_REGISTRATION.set(ch, new Reviving(netty, (EpollSocketChannel) ch));
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

    /**
     * Netty's registration, re-adding the descriptor when Netty took it out, and leaving out a
     * submission of the interest the kernel has already.
     */
    private static final class Reviving implements IoRegistration {
        /** {@link #inKernel} when this registration has not seen what the kernel has. */
        private static final int UNKNOWN = -1;
        /** The events of a socket's input side. */
        private static final int INPUT = EpollIoOps.EPOLLIN.value() | EpollIoOps.EPOLLRDHUP.value();

        private final IoRegistration netty;
        private final EpollSocketChannel channel;
        /** Netty's own epoll registration inside {@link #netty}, found on first use. */
        private Object epoll;
        /** The interest this registration last gave the kernel; 0: the descriptor is out of epoll. */
        private int inKernel = UNKNOWN;

        private Reviving(IoRegistration netty, EpollSocketChannel channel) {
            this.netty = netty;
            this.channel = channel;
        }

        @Override
        public <T> T attachment() {
            return netty.attachment();
        }

        @Override
        public long submit(IoOps ops) {
            if (!(ops instanceof EpollIoOps asked)) {
                return netty.submit(ops);
            }
            EpollIoOps interest = asked;
            if ((interest.value() & INPUT) != 0 && channel.isInputShutdown()) {
                // The peer's FIN is read and the input shut down: EPOLLIN and EPOLLRDHUP have nothing
                // left to tell (they would only report the end of stream again), and Netty clears
                // them one at a time over the next wake-ups. Leave them out now.
                interest = EpollIoOps.valueOf(interest.value() & ~INPUT);
            }
            int wanted = interest.value();
            if (wanted == inKernel) {
                return wanted; // the kernel has exactly this already: no epoll_ctl
            }
            inKernel = UNKNOWN;
            long result;
            try {
                result = netty.submit(interest);
            } catch (UncheckedIOException e) {
                if (!notInEpoll(e) || !markNotAdded()) {
                    throw e;
                }
                result = netty.submit(interest); // now an EPOLL_CTL_ADD with the whole interest set
            }
            if (result < 0) {
                return result; // cancelled: Netty ignores interests from now on
            }
            if (wanted == 0 && !markNotAdded()) {
                return result; // out of epoll, but Netty cannot be told: its next MOD fails and is repaired above
            }
            inKernel = wanted;
            return result;
        }

        /**
         * Tells Netty's registration that the descriptor is not in epoll (its next interest becomes
         * an ADD); a cancelled registration stays cancelled. False if Netty's state cannot be reached.
         */
        private boolean markNotAdded() {
            try {
                if (epoll == null) {
                    epoll = epollRegistration(netty);
                }
                Object registration = epoll;
                synchronized (registration) { // Netty changes the state under this lock
                    if (REGISTRATION_STATE.get(registration) == ADDED) {
                        REGISTRATION_STATE.set(registration, NOT_ADDED);
                    }
                }
                return true;
            } catch (ReflectiveOperationException | RuntimeException cannot) {
                log.warn("cannot tell Netty a descriptor left epoll ({}); its next interest fails and closes the connection",
                        cannot.toString());
                return false;
            }
        }

        @Override
        public boolean isValid() {
            return netty.isValid();
        }

        @Override
        public boolean cancel() {
            inKernel = UNKNOWN;
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
