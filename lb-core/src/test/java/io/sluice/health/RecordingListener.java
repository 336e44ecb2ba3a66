package io.sluice.health;

import io.sluice.backend.Backend;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;

/** Records every callback in order: check results and transitions in one list. */
final class RecordingListener implements HealthListener {

    /** One callback; {@code transition} tells which kind; {@code clock} is the test clock at the time. */
    record Event(String pool, String backend, boolean transition, boolean up, String text, long clock) {
        boolean isCheck() {
            return !transition;
        }
    }

    private final List<Event> events = new CopyOnWriteArrayList<>();
    private final LongSupplier clock;

    RecordingListener() {
        this(() -> 0);
    }

    RecordingListener(LongSupplier clock) {
        this.clock = clock;
    }

    @Override
    public void healthChanged(String pool, Backend backend, boolean up, String cause) {
        events.add(new Event(pool, backend.name(), true, up, cause, clock.getAsLong()));
    }

    @Override
    public void checked(String pool, Backend backend, Instant at, String result) {
        events.add(new Event(pool, backend.name(), false, false, result, clock.getAsLong()));
    }

    List<Event> events(String backend) {
        return events.stream().filter(e -> e.backend().equals(backend)).toList();
    }

    List<Event> transitions(String backend) {
        return events(backend).stream().filter(Event::transition).toList();
    }

    List<String> results(String backend) {
        return events(backend).stream().filter(Event::isCheck).map(Event::text).toList();
    }

    long count(String backend, String result) {
        return results(backend).stream().filter(result::equals).count();
    }

    /** The last transition's new state, or null if there was none. */
    Boolean lastUp(String backend) {
        List<Event> t = transitions(backend);
        return t.isEmpty() ? null : t.get(t.size() - 1).up();
    }
}
