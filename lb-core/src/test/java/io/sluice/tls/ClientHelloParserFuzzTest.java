package io.sluice.tls;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.sluice.tls.ParseResult.Hello;
import io.sluice.tls.ParseResult.NeedMore;
import io.sluice.tls.ParseResult.Refused;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Feeds {@link ClientHelloParser} random bytes and mutated real ClientHellos and checks invariants
 * that must hold for every input:
 * <ol>
 *   <li>{@code parse} returns a result: it never throws, and never takes its internal-error path;
 *   <li>never {@code NeedMore} for an input longer than {@link ClientHelloParser#bufferLimit(int)}
 *       ({@code max + 5 * (max / 16384 + 1 + 64)});
 *   <li>deterministic: the same bytes at another offset of a bigger buffer, surrounded by different
 *       junk beyond readerIndex/writerIndex, give an equal result;
 *   <li>a Hello's server name obeys the host name rules, its helloLength is within the limit;
 *   <li>prefixes of an input that gave a Hello are NeedMore, Refused or that same Hello (if the cut is
 *       after the hello), never another Hello; prefixes of a NeedMore input are NeedMore;
 *   <li>a (mutated) handshake message framed as one record or as records of k bytes gets the same
 *       verdict (the record-walking cursor must not change the outcome).
 * </ol>
 * Default: {@value #DEFAULT_ITERATIONS} inputs (plus a tenth as many framing pairs) with a fixed
 * seed; the corpus of real hellos is itself reproducible ({@link ClientHellos#jdkClientHello}). Run longer or with another seed:
 * {@code mvn -pl lb-core test -Dtest=ClientHelloParserFuzzTest -Dsluice.fuzz.iterations=10000000 -Dsluice.fuzz.seed=123}.
 * A failure names the seed, the case seed and the input in hex.
 */
class ClientHelloParserFuzzTest {

    static final int DEFAULT_ITERATIONS = 200_000;
    static final long SEED = Long.getLong("sluice.fuzz.seed", 0x511CE715L);
    static final int ITERATIONS = Integer.getInteger("sluice.fuzz.iterations", DEFAULT_ITERATIONS);
    static final int MAX = 16384;

    private int checked;
    private int hellos;
    private int needMores;
    private final int[] refusals = new int[TlsRefusal.values().length];

    @Test
    @Timeout(value = 24, unit = TimeUnit.HOURS) // the real limit, scaled to the iterations, is below
    void fuzz() {
        // Preemptive, so a parser that loops forever fails the test instead of hanging the build.
        Duration budget = Duration.ofSeconds(60).plusNanos(ITERATIONS * 100_000L);
        assertTimeoutPreemptively(budget, this::run, () -> "fuzzing took longer than " + budget + " (seed " + SEED + ")");
    }

    private void run() {
        List<byte[]> corpus = corpus();
        List<int[]> fields = new ArrayList<>();
        for (byte[] hello : corpus) {
            fields.add(headerFields(hello));
        }
        long started = System.nanoTime();

        // 1. Systematic: every bit of a real hello flipped; every structural field set to edge values.
        byte[] base = corpus.get(0);
        for (int i = 0; i < base.length; i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] b = base.clone();
                b[i] ^= (byte) (1 << bit);
                check(b, MAX, -1, "bit flip " + i + "/" + bit);
            }
        }
        int[] edgeValues = {0, 1, 2, 3, 0x7f, 0x80, 0xff, 0x100, 0x3fff, 0x4000, 0x4001, 0xffff, 0xffffff};
        for (int c = 0; c < corpus.size(); c++) {
            byte[] hello = corpus.get(c);
            int[] f = fields.get(c);
            for (int k = 0; k < f.length; k += 2) {
                int pos = f[k];
                int width = f[k + 1];
                int original = read(hello, pos, width);
                for (int delta = -3; delta <= 3; delta++) {
                    check(writeCopy(hello, pos, width, original + delta), MAX, -1, "field " + pos + " delta " + delta);
                }
                for (int v : edgeValues) {
                    check(writeCopy(hello, pos, width, v), MAX, -1, "field " + pos + " = " + v);
                }
            }
        }
        int systematic = checked;

        // 2. Random: each case has its own seed, printed on failure.
        Random random = new Random(SEED);
        while (checked < Math.max(ITERATIONS, systematic + 1)) {
            long caseSeed = random.nextLong();
            Random r = new Random(caseSeed);
            int c = r.nextInt(corpus.size());
            byte[] input = generate(r, corpus.get(c), fields.get(c));
            check(input, pickMax(r, input), caseSeed, "random");
        }
        // 3. Framing independence: a mutated handshake message framed as one record and as records
        //    of k bytes gives the same verdict (the cursor that walks records must not matter).
        List<byte[]> singles = new ArrayList<>();
        List<int[]> singleFields = new ArrayList<>();
        for (byte[] hello : corpus) {
            byte[] hs = ClientHellos.handshakeBytes(hello);
            singles.add(ClientHellos.frame(hs, hs.length));
            singleFields.add(headerFields(singles.get(singles.size() - 1)));
        }
        int framings = 0;
        while (framings < Math.max(1, ITERATIONS / 10)) {
            long caseSeed = random.nextLong();
            Random r = new Random(caseSeed);
            int c = r.nextInt(singles.size());
            int[] hsFields = singleFields.get(c);
            byte[] one = singles.get(c);
            int mutations = 1 + r.nextInt(3);
            for (int m = 0; m < mutations && one.length > 5; m++) {
                one = mutateBody(r, one, hsFields);
            }
            byte[] body = Arrays.copyOfRange(one, 5, one.length);
            if (body.length == 0 || body.length > ClientHellos.MAX_FRAGMENT) {
                continue;
            }
            framings++;
            int k = (body.length > 2000 ? 64 : 1) + r.nextInt(r.nextBoolean() ? 8 : 600);
            byte[] single = ClientHellos.frame(body, ClientHellos.MAX_FRAGMENT);
            byte[] split = ClientHellos.frame(body, k);
            ParseResult a = parseChecked(single, 65536, caseSeed, "framing single");
            ParseResult b = parseChecked(split, 65536, caseSeed, "framing " + k);
            checked += 2;
            if (!sameVerdict(a, b)) {
                failCase("one record gave " + a + " but records of " + k + " bytes gave " + b, single, 65536, caseSeed, "framing");
            }
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        System.out.printf("ClientHelloParser fuzz: %d inputs (%d systematic) in %d ms, seed %d: %d Hello, %d NeedMore, refusals %s%n",
                checked, systematic, millis, SEED, hellos, needMores, refusalCounts());
    }

    // -- invariants ---------------------------------------------------------------------------------

    private void check(byte[] input, int max, long caseSeed, String what) {
        checked++;
        ParseResult result = parseChecked(input, max, caseSeed, what);
        if (result instanceof NeedMore) {
            needMores++;
            if (input.length > ClientHelloParser.bufferLimit(max)) {
                failCase("NeedMore for " + input.length + " bytes, above bufferLimit " + ClientHelloParser.bufferLimit(max),
                        input, max, caseSeed, what);
            }
        } else if (result instanceof Refused refused) {
            refusals[refused.reason().ordinal()]++;
            if (refused.reason() == TlsRefusal.TIMEOUT || refused.reason() == TlsRefusal.NO_ROUTE) {
                failCase("parser produced " + refused, input, max, caseSeed, what);
            }
        } else {
            hellos++;
            ClientHelloInfo info = ((Hello) result).info();
            String problem = helloProblem(info, max);
            if (problem != null) {
                failCase(problem + ": " + info, input, max, caseSeed, what);
            }
        }

        // Determinism, and independence from the buffer's offset and from bytes outside readerIndex..writerIndex.
        Random junk = new Random(input.length * 31L + caseSeed);
        int before = junk.nextInt(8);
        byte[] wide = new byte[before + input.length + 1 + junk.nextInt(40)];
        junk.nextBytes(wide);
        System.arraycopy(input, 0, wide, before, input.length);
        ByteBuf buf = Unpooled.wrappedBuffer(wide).setIndex(before, before + input.length);
        ParseResult again = parseChecked(buf, max, input, caseSeed, what);
        if (!again.equals(result)) {
            failCase("not deterministic: " + result + " then " + again, input, max, caseSeed, what);
        }

        // Prefixes (a few, chosen deterministically).
        if (result instanceof Hello || result instanceof NeedMore) {
            int[] cuts = {input.length - 1, input.length / 2, (int) ((input.length * 0x9E3779B9L >>> 7) % Math.max(1, input.length)), 6};
            for (int cut : cuts) {
                if (cut < 0 || cut >= input.length) {
                    continue;
                }
                ParseResult p = parseChecked(Arrays.copyOf(input, cut), max, caseSeed, what + " prefix " + cut);
                boolean ok = result instanceof Hello
                        ? !(p instanceof Hello) || p.equals(result)
                        : p instanceof NeedMore;
                if (!ok) {
                    failCase("prefix of " + cut + " bytes gave " + p + " but the whole input gave " + result,
                            input, max, caseSeed, what);
                }
            }
        }
    }

    private ParseResult parseChecked(byte[] input, int max, long caseSeed, String what) {
        return parseChecked(Unpooled.wrappedBuffer(input), max, input, caseSeed, what);
    }

    private ParseResult parseChecked(ByteBuf buf, int max, byte[] input, long caseSeed, String what) {
        int reader = buf.readerIndex();
        int writer = buf.writerIndex();
        ParseResult result;
        try {
            result = ClientHelloParser.parse(buf, max);
        } catch (Throwable t) {
            failCase("parse threw " + t, input, max, caseSeed, what);
            throw new AssertionError(t);
        }
        if (result == null) {
            failCase("parse returned null", input, max, caseSeed, what);
        }
        if (buf.readerIndex() != reader || buf.writerIndex() != writer) {
            failCase("parse moved the buffer's indexes", input, max, caseSeed, what);
        }
        if (result instanceof Refused r && r.detail().startsWith("internal")) {
            failCase("internal parser error: " + r.detail(), input, max, caseSeed, what);
        }
        return result;
    }

    private static boolean sameVerdict(ParseResult a, ParseResult b) {
        if (a instanceof Hello ha && b instanceof Hello hb) {
            ClientHelloInfo x = ha.info();
            ClientHelloInfo y = hb.info();
            return Objects.equals(x.serverName(), y.serverName()) && x.alpn().equals(y.alpn())
                    && x.encryptedClientHello() == y.encryptedClientHello() && x.offersTls13() == y.offersTls13()
                    && x.helloLength() == y.helloLength();
        }
        if (a instanceof Refused ra && b instanceof Refused rb) {
            return ra.reason() == rb.reason();
        }
        return a.getClass() == b.getClass();
    }

    /** Mutations that keep the single record's header intact (only its length is fixed up). */
    private static byte[] mutateBody(Random r, byte[] one, int[] fields) {
        byte[] b;
        int choice = r.nextInt(5);
        if (choice <= 1 && fields.length > 0) {
            int k = r.nextInt(fields.length / 2) * 2;
            if (fields[k] < 5 || fields[k] + fields[k + 1] > one.length) {
                return one;
            }
            int v = read(one, fields[k], fields[k + 1]);
            b = writeCopy(one, fields[k], fields[k + 1], r.nextBoolean() ? v + r.nextInt(7) - 3 : r.nextInt(1 << Math.min(16, 8 * fields[k + 1])));
        } else if (choice == 2) {
            b = one.clone();
            b[5 + r.nextInt(b.length - 5)] ^= (byte) (1 << r.nextInt(8));
        } else if (choice == 3) {
            b = Arrays.copyOf(one, 5 + r.nextInt(one.length - 5));
        } else {
            byte[] extra = new byte[1 + r.nextInt(8)];
            r.nextBytes(extra);
            int at = 5 + r.nextInt(one.length - 4);
            b = ClientHellos.concat(Arrays.copyOf(one, at), extra, Arrays.copyOfRange(one, at, one.length));
        }
        int length = b.length - 5;
        b[3] = (byte) (length >>> 8);
        b[4] = (byte) length;
        return b;
    }

    static String helloProblem(ClientHelloInfo info, int max) {
        if (info.helloLength() > max || info.helloLength() < 4 + 41) {
            return "helloLength out of range";
        }
        if (info.recordCount() < 1) {
            return "recordCount < 1";
        }
        for (String protocol : info.alpn()) {
            if (protocol.isEmpty() || protocol.length() > 255) {
                return "bad ALPN entry";
            }
        }
        String name = info.serverName();
        if (name == null) {
            return null;
        }
        if (name.isEmpty() || name.length() > 253 || name.startsWith(".") || name.endsWith(".") || name.contains("..")) {
            return "server name violates length/label rules";
        }
        for (int i = 0; i < name.length(); i++) {
            char ch = name.charAt(i);
            if (!(ch >= 'a' && ch <= 'z' || ch >= '0' && ch <= '9' || ch == '-' || ch == '.' || ch == '_')) {
                return "server name has character " + (int) ch;
            }
        }
        return null;
    }

    private void failCase(String problem, byte[] input, int max, long caseSeed, String what) {
        String hex = HexFormat.of().formatHex(input, 0, Math.min(input.length, 4096));
        fail(problem + "\n  [seed " + SEED + " (-Dsluice.fuzz.seed), case seed " + caseSeed + ", " + what
                + ", maxClientHello " + max + ", " + input.length + " bytes]\n  input: " + hex
                + (input.length > 4096 ? "..." : ""));
    }

    private String refusalCounts() {
        StringBuilder sb = new StringBuilder();
        for (TlsRefusal reason : TlsRefusal.values()) {
            if (refusals[reason.ordinal()] > 0) {
                sb.append(reason.word()).append('=').append(refusals[reason.ordinal()]).append(' ');
            }
        }
        return sb.toString().trim();
    }

    // -- inputs ---------------------------------------------------------------------------------

    static List<byte[]> corpus() {
        List<String> h2 = List.of("h2", "http/1.1");
        byte[] tls13 = ClientHellos.jdkClientHello("chat.example.com", h2, "TLSv1.3");
        List<byte[]> corpus = new ArrayList<>();
        corpus.add(tls13);
        corpus.add(ClientHellos.jdkClientHello("chat.example.com", h2, "TLSv1.2"));
        corpus.add(ClientHellos.jdkClientHello(null, List.of(), "TLSv1.3", "TLSv1.2"));
        corpus.add(ClientHellos.jdkClientHello("a-b.example.org", List.of("http/1.1")));
        corpus.add(ClientHellos.reframe(tls13, 1));
        corpus.add(ClientHellos.reframe(tls13, 7));
        corpus.add(ClientHellos.reframe(tls13, 100));
        corpus.add(ClientHellos.withExtension(tls13, 0xfe0d, new byte[90]));
        corpus.add(ClientHellos.withExtension(tls13, 21, new byte[7600]));
        corpus.add(ClientHellos.concat(tls13, new byte[] {23, 3, 3, 0, 2, 1, 2}));
        corpus.add(ClientHellos.syntheticHello());
        corpus.add(ClientHellos.syntheticHello(
                ClientHellos.extension(0, ClientHellos.sniData("x.example")),
                ClientHellos.extension(16, ClientHellos.alpnData("h2", "h3")),
                ClientHellos.extension(43, new byte[] {2, 3, 4})));
        return corpus;
    }

    /**
     * Positions and widths (pairs) of the structural fields of a framed hello: each record's type,
     * version and length; the handshake type and length; session id, cipher suites, compression and
     * extensions lengths; each extension's type and length; the inner lengths of SNI, ALPN and
     * supported_versions. Positions are absolute (record headers accounted for); a field split across
     * records is skipped.
     */
    static int[] headerFields(byte[] records) {
        List<Integer> out = new ArrayList<>();
        List<Integer> recordStarts = new ArrayList<>();
        int pos = 0;
        while (pos + 5 <= records.length && records[pos] == 22) {
            out.addAll(List.of(pos, 1, pos + 1, 2, pos + 3, 2));
            recordStarts.add(pos);
            pos += 5 + ClientHellos.u16(records, pos + 3);
        }
        byte[] hs = ClientHellos.handshakeBytes(records);
        List<int[]> logical = new ArrayList<>();
        logical.add(new int[] {0, 1});
        logical.add(new int[] {1, 3});
        int p = 4 + 2 + 32;
        logical.add(new int[] {p, 1});
        p += 1 + (hs[p] & 0xff);
        logical.add(new int[] {p, 2});
        p += 2 + ClientHellos.u16(hs, p);
        logical.add(new int[] {p, 1});
        p += 1 + (hs[p] & 0xff);
        if (p < hs.length) {
            logical.add(new int[] {p, 2});
            p += 2;
            while (p + 4 <= hs.length) {
                int type = ClientHellos.u16(hs, p);
                int length = ClientHellos.u16(hs, p + 2);
                logical.add(new int[] {p, 2});
                logical.add(new int[] {p + 2, 2});
                int data = p + 4;
                if (type == 0 && length >= 5) {
                    logical.add(new int[] {data, 2});
                    logical.add(new int[] {data + 2, 1});
                    logical.add(new int[] {data + 3, 2});
                } else if (type == 16 && length >= 3) {
                    logical.add(new int[] {data, 2});
                    logical.add(new int[] {data + 2, 1});
                } else if (type == 43 && length >= 1) {
                    logical.add(new int[] {data, 1});
                }
                p = data + length;
            }
        }
        for (int[] field : logical) {
            int first = absolute(records, recordStarts, field[0]);
            int last = absolute(records, recordStarts, field[0] + field[1] - 1);
            if (first >= 0 && last == first + field[1] - 1) {
                out.add(first);
                out.add(field[1]);
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    private static int absolute(byte[] records, List<Integer> recordStarts, int logical) {
        for (int start : recordStarts) {
            int length = ClientHellos.u16(records, start + 3);
            if (logical < length) {
                return start + 5 + logical;
            }
            logical -= length;
        }
        return -1;
    }

    static byte[] generate(Random r, byte[] hello, int[] fields) {
        int kind = r.nextInt(20);
        if (kind == 0) { // pure random bytes
            byte[] b = new byte[r.nextInt(600)];
            r.nextBytes(b);
            return b;
        }
        if (kind == 1) { // random payload in a plausible record + handshake header
            byte[] b = new byte[9 + r.nextInt(600)];
            r.nextBytes(b);
            int length = b.length - 5 - (r.nextBoolean() ? 0 : r.nextInt(10));
            b[0] = 22;
            b[1] = 3;
            b[2] = (byte) r.nextInt(5);
            b[3] = (byte) (length >>> 8);
            b[4] = (byte) length;
            b[5] = 1;
            int body = length - 4 + (r.nextBoolean() ? 0 : r.nextInt(10) - 5);
            b[6] = 0;
            b[7] = (byte) (body >>> 8);
            b[8] = (byte) body;
            return b;
        }
        byte[] b = hello;
        int mutations = 1 + r.nextInt(r.nextInt(4) + 1);
        for (int m = 0; m < mutations; m++) {
            b = mutate(r, b, fields, b == hello || b.length == hello.length);
        }
        return b;
    }

    private static byte[] mutate(Random r, byte[] in, int[] fields, boolean fieldsValid) {
        if (in.length == 0) {
            return new byte[] {(byte) r.nextInt(256)};
        }
        byte[] b;
        switch (r.nextInt(9)) {
            case 0 -> { // bit flip
                b = in.clone();
                b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
            }
            case 1 -> { // byte replacement
                b = in.clone();
                int[] interesting = {0, 1, 0x7f, 0x80, 0xfe, 0xff, 0x16, 0x40, 0x20};
                b[r.nextInt(b.length)] = (byte) (r.nextBoolean() ? r.nextInt(256) : interesting[r.nextInt(interesting.length)]);
            }
            case 2 -> b = Arrays.copyOf(in, r.nextInt(in.length)); // truncation
            case 3, 4 -> { // length-field corruption
                if (!fieldsValid || fields.length == 0) {
                    return mutate(r, in, fields, false);
                }
                int k = r.nextInt(fields.length / 2) * 2;
                int pos = fields[k];
                int width = fields[k + 1];
                int v = read(in, pos, width);
                int nv = switch (r.nextInt(4)) {
                    case 0 -> v + r.nextInt(9) - 4;
                    case 1 -> 0;
                    case 2 -> (1 << (8 * width)) - 1 - r.nextInt(3);
                    default -> r.nextInt(1 << Math.min(24, 8 * width));
                };
                b = writeCopy(in, pos, width, nv);
            }
            case 5 -> { // duplicate a chunk
                int from = r.nextInt(in.length);
                int n = 1 + r.nextInt(Math.min(64, in.length - from));
                int at = r.nextInt(in.length + 1);
                b = ClientHellos.concat(Arrays.copyOf(in, at), Arrays.copyOfRange(in, from, from + n), Arrays.copyOfRange(in, at, in.length));
            }
            case 6 -> { // insert random bytes
                byte[] extra = new byte[1 + r.nextInt(16)];
                r.nextBytes(extra);
                int at = r.nextInt(in.length + 1);
                b = ClientHellos.concat(Arrays.copyOf(in, at), extra, Arrays.copyOfRange(in, at, in.length));
            }
            case 7 -> { // delete a range
                int from = r.nextInt(in.length);
                int n = 1 + r.nextInt(Math.min(32, in.length - from));
                b = ClientHellos.concat(Arrays.copyOf(in, from), Arrays.copyOfRange(in, from + n, in.length));
            }
            default -> { // re-frame (valid) then keep mutating
                if (in.length < 5) {
                    return mutate(r, in, fields, false);
                }
                b = ClientHellos.reframe(in, 1 + r.nextInt(r.nextBoolean() ? 16 : 2000));
            }
        }
        return b;
    }

    private static int pickMax(Random r, byte[] input) {
        return switch (r.nextInt(10)) {
            case 0 -> r.nextInt(20_000);
            case 1 -> Math.max(0, input.length - 5 - r.nextInt(40));
            case 2 -> 4096;
            case 3 -> r.nextInt(100);
            default -> MAX;
        };
    }

    private static int read(byte[] b, int pos, int width) {
        int v = 0;
        for (int i = 0; i < width; i++) {
            v = v << 8 | (b[pos + i] & 0xff);
        }
        return v;
    }

    private static byte[] writeCopy(byte[] in, int pos, int width, int value) {
        byte[] b = in.clone();
        for (int i = width - 1; i >= 0; i--) {
            b[pos + i] = (byte) value;
            value >>>= 8;
        }
        return b;
    }
}
