package io.sluice.backend;

import java.util.Locale;

/** What an operator (or the registry) decided about a backend, independent of its health. */
public enum AdminState {
    /** Takes new connections when healthy. */
    READY,
    /** No new connections (sticky clients are re-picked); existing ones continue until they end or a deadline. */
    DRAIN,
    /** Like DRAIN; an operator may also close existing connections now. */
    MAINT;

    /** The word in the API and logs. */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }
}
