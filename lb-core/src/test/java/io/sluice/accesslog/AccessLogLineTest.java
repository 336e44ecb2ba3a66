package io.sluice.accesslog;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The access-log line is byte for byte what the Jackson generator and {@code Instant.toString}
 * wrote before issue 13 replaced them: the old code is kept here as the reference, and both are fed
 * the same entries (fixed ones and 20 000 random ones full of what needs escaping).
 */
class AccessLogLineTest {

    private static void assertSameLine(AccessLog.Entry e) throws IOException {
        String expected = JacksonAccessLine.of(e);
        String actual = AccessLog.toJson(e);
        assertEquals(expected, actual, () -> "for " + e);
        // What the encoder writes: lone surrogates become the same replacement in both.
        assertArrayEquals(expected.getBytes(StandardCharsets.UTF_8), actual.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aTypicalLineIsTheOneJacksonWrote() throws IOException {
        AccessLog.Entry e = new AccessLog.Entry(Instant.parse("2026-12-07T16:05:41.225587821Z"), "web",
                "127.0.0.1:40338", "a.bench.test", "web", "nginx-1", 78, 189, 3, "client-close", null);
        assertEquals("{\"time\":\"2026-12-07T16:05:41.225587821Z\",\"listener\":\"web\",\"client\":\"127.0.0.1:40338\","
                + "\"sni\":\"a.bench.test\",\"pool\":\"web\",\"backend\":\"nginx-1\",\"bytes_up\":78,\"bytes_down\":189,"
                + "\"duration_ms\":3,\"close_reason\":\"client-close\"}", AccessLog.toJson(e));
        assertSameLine(e);
    }

    @Test
    void nullsAreOmittedOrWrittenAsJacksonDid() throws IOException {
        assertSameLine(new AccessLog.Entry(Instant.EPOCH, "l", "c", null, null, null, 0, 0, 0, "x", null));
        assertSameLine(new AccessLog.Entry(Instant.EPOCH, "l", "c", "s", "p", "b", -1, Long.MIN_VALUE, Long.MAX_VALUE, "x", "no-sni"));
        // Never null on the data path, but if they were, Jackson wrote the literal null.
        assertSameLine(new AccessLog.Entry(Instant.EPOCH, null, null, null, null, null, 0, 0, 0, null, null));
    }

    @Test
    void everyCharacterBelow256AndTheSurrogatesAreEscapedAsJacksonDid() throws IOException {
        StringBuilder all = new StringBuilder();
        for (char c = 0; c < 256; c++) {
            all.append(c);
        }
        all.append("\u2028\u2029\uFEFF\uFFFF/</script>");
        all.append("\uD83D\uDE00"); // a pair: 😀
        all.append('\uD83D').append('x'); // a high surrogate alone
        all.append('\uDE00'); // a low surrogate alone, at the end
        String s = all.toString();
        assertSameLine(new AccessLog.Entry(Instant.EPOCH, s, s, s, s, s, 1, 2, 3, s, s));
    }

    @Test
    void randomEntriesGiveTheSameLine() throws IOException {
        SplittableRandom random = new SplittableRandom(13);
        for (int i = 0; i < 20_000; i++) {
            assertSameLine(new AccessLog.Entry(randomInstant(random), randomString(random), randomString(random),
                    maybe(random), maybe(random), maybe(random), random.nextLong(), random.nextLong(),
                    random.nextLong(), randomString(random), maybe(random)));
        }
    }

    @Test
    void timesPrintAsInstantToString() {
        InstantText text = new InstantText();
        SplittableRandom random = new SplittableRandom(7);
        Instant start = Instant.parse("2026-12-07T23:59:58Z");
        // Consecutive milliseconds (the cache hit, then the next second, the next day), then random ones.
        for (int i = 0; i < 5000; i++) {
            assertTime(text, start.plusMillis(i));
            assertTime(text, start.plusNanos(i * 1_000_001L));
            assertTime(text, start.plusNanos(i * 1_000L));
        }
        for (int i = 0; i < 100_000; i++) {
            assertTime(text, randomInstant(random));
        }
        assertTime(text, Instant.MIN);
        assertTime(text, Instant.MAX);
        assertTime(text, Instant.EPOCH);
        assertTime(text, Instant.ofEpochSecond(-1, 1));
    }

    private static void assertTime(InstantText text, Instant t) {
        StringBuilder out = new StringBuilder();
        text.append(out, t);
        assertEquals(t.toString(), out.toString());
    }

    private static Instant randomInstant(SplittableRandom random) {
        long second = switch (random.nextInt(4)) {
            case 0 -> random.nextLong(Instant.MIN.getEpochSecond(), Instant.MAX.getEpochSecond());
            case 1 -> random.nextLong(-5_000_000_000L, 300_000_000_000L); // years about 1811 to 11476
            default -> 1_796_000_000L + random.nextInt(1000); // 2026, some seconds repeat
        };
        int nanos = switch (random.nextInt(4)) {
            case 0 -> 0;
            case 1 -> random.nextInt(1000) * 1_000_000;
            case 2 -> random.nextInt(1_000_000) * 1000;
            default -> random.nextInt(1_000_000_000);
        };
        return Instant.ofEpochSecond(second, nanos);
    }

    private static String maybe(SplittableRandom random) {
        return random.nextInt(3) == 0 ? null : randomString(random);
    }

    /** Mostly what needs escaping: controls, quotes, backslashes, DEL, Latin-1, BMP, pairs and lone surrogates. */
    private static String randomString(SplittableRandom random) {
        int length = random.nextInt(24);
        StringBuilder s = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            switch (random.nextInt(9)) {
                case 0 -> s.append((char) random.nextInt(0x20));
                case 1 -> s.append(random.nextBoolean() ? '"' : '\\');
                case 2 -> s.append((char) random.nextInt(0x20, 0x80));
                case 3 -> s.append((char) random.nextInt(0x80, 0x100));
                case 4 -> s.append((char) random.nextInt(0x100, 0xD800));
                case 5 -> s.appendCodePoint(random.nextInt(0x10000, 0x110000));
                case 6 -> s.append((char) random.nextInt(0xD800, 0xE000)); // a lone surrogate
                case 7 -> s.append((char) random.nextInt(0xE000, 0x10000));
                default -> s.append("a.bench.test");
            }
        }
        return s.toString();
    }
}
