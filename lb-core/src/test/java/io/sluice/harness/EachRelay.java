package io.sluice.harness;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.transport.Transport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A test class that extends this runs every test once per relay: channels (the epoll transport)
 * and bare sockets ({@code epoll-sockets}, the socket relay of tcp listeners). For features that
 * meet the relay (limits, connect failures, the access log, PROXY headers sent on, descriptors):
 * both must behave the same. {@link EachTransport} covers the transports themselves.
 *
 * <p>Used from the test thread (JUnit's); the property is JVM-wide, so such tests do not run in parallel.
 */
@ParameterizedClass
@EnumSource(value = Transport.class, names = {"EPOLL", "EPOLL_SOCKETS"})
public abstract class EachRelay {

    @Parameter
    protected Transport transport;

    @BeforeEach
    protected void useRelay() {
        assumeTrue(transport.isAvailable(), transport + " is not available here");
        TransportProperty.set(transport);
    }

    @AfterEach
    protected void defaultRelay() {
        TransportProperty.clear();
    }
}
