package io.sluice.harness;

/**
 * The byte stream of one direction of one connection: SplitMix64, eight bytes per step. The
 * sender and the receiver each hold one, seeded alike.
 */
final class StreamBytes {
    private long state;
    private long word;
    private int left;

    StreamBytes(int id, boolean up) {
        this.state = ((long) id << 1 | (up ? 1 : 0)) * 0x2545F4914F6CDD1DL + 0x5DEECE66DL;
    }

    byte next() {
        if (left == 0) {
            state += 0x9E3779B97F4A7C15L;
            long z = state;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            word = z ^ (z >>> 31);
            left = 8;
        }
        byte b = (byte) word;
        word >>>= 8;
        left--;
        return b;
    }
}
