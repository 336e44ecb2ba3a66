package io.sluice.config;

/** Primality for the Maglev table size, which must be prime for the permutation to cover every slot. */
final class Primes {

    private Primes() {
    }

    static boolean isPrime(long n) {
        if (n < 2) {
            return false;
        }
        if (n % 2 == 0) {
            return n == 2;
        }
        // Trial division is plenty: table sizes stay near a million, so at most ~500 divisions.
        for (long d = 3; d * d <= n; d += 2) {
            if (n % d == 0) {
                return false;
            }
        }
        return true;
    }

    /** The smallest prime {@code >= n}. */
    static long atLeast(long n) {
        long candidate = Math.max(n, 2);
        while (!isPrime(candidate)) {
            candidate++;
        }
        return candidate;
    }
}
