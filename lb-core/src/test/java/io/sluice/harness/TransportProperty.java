package io.sluice.harness;

import io.sluice.transport.Transport;
import java.util.Locale;

/**
 * The {@code sluice.transport} property that daemons started in this JVM read ({@link Transport#detect}).
 * JVM-wide: the test classes that set it ({@link EachTransport}, {@link EachRelay}) do not run in parallel.
 */
final class TransportProperty {

    private static final String NAME = "sluice.transport";

    private TransportProperty() {}

    static void set(Transport transport) {
        System.setProperty(NAME, transport.name().toLowerCase(Locale.ROOT));
    }

    static void clear() {
        System.clearProperty(NAME);
    }
}
