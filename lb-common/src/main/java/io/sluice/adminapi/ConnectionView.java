package io.sluice.adminapi;

/** One live client connection. {@code sni}, {@code pool}, {@code backend} may be null (not yet routed). */
public record ConnectionView(
        String listener,
        String client,
        String sni,
        String pool,
        String backend,
        long bytesUp,
        long bytesDown,
        long ageSeconds) {}
