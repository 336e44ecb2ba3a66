package io.sluice.harness;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.transport.Transport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A test class that extends this runs every test once per transport (io_uring, epoll, NIO), each
 * skipped where the machine does not have it: the daemons it starts pick {@link #transport} through
 * the {@code sluice.transport} property, set before each test and cleared after. The transports
 * differ exactly where a proxy is fragile (half-close, resets, re-arming reads), so tests of the
 * data path hold each to the same behaviour.
 *
 * <p>Used from the test thread (JUnit's); the property is JVM-wide, so such tests do not run in parallel.
 */
@ParameterizedClass
@EnumSource(Transport.class)
public abstract class EachTransport {

    @Parameter
    protected Transport transport;

    @BeforeEach
    protected void useTransport() {
        assumeTrue(transport.isAvailable(), transport + " is not available here");
        TransportProperty.set(transport);
    }

    @AfterEach
    protected void defaultTransport() {
        TransportProperty.clear();
    }
}
