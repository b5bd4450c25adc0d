package io.dnstapforwarder.shipper.enrich;

/**
 * The measures of a DNS name that tell a generated or data-carrying name from a hostname: its
 * length, its labels, its longest label, the share of digits, and the Shannon entropy of the part
 * left of its registered domain (where a tunnel puts its data: {@code a1b2c3...} of
 * {@code a1b2c3.t.evil.co.uk}).
 *
 * <p>Measured on the name as rendered (presentation format, no trailing dot), in bytes as DNS
 * counts them: an escaped byte ({@code \DDD}, {@code \.}) is one.
 *
 * @param length bytes of the name as text, its dots counted, no trailing dot (a host name has at most 253)
 * @param labels labels (the root has none)
 * @param longestLabel bytes of the longest label
 * @param digitsRatio digits among the name's bytes, dots left out (0 to 1)
 * @param subdomainEntropy Shannon entropy, bits per byte, of the part left of the registered
 *     domain, its dots left out and letters in one case; {@code NaN} when there is none (or no
 *     registered domain)
 * @param oddBytes bytes no host name has: anything but letters, digits, hyphen and underscore
 *     (service labels such as {@code _tcp} have it), dots apart
 */
public record NameShape(int length, int labels, int longestLabel, double digitsRatio, double subdomainEntropy,
        int oddBytes) {

    /** The shape of {@code name}; {@code registeredStart} is where its registered domain begins, or -1. */
    public static NameShape of(String name, int registeredStart) {
        return new Meter().measure(name, registeredStart);
    }

    /**
     * Measures names without allocating per name but the result: its byte counts are kept and
     * cleared after each name. One per thread (each renderer has one).
     */
    public static final class Meter {

        private final int[] counts = new int[256];

        public NameShape measure(String name, int registeredStart) {
            if (name.isEmpty() || name.equals(".")) {
                return new NameShape(0, 0, 0, 0, Double.NaN, 0);
            }
            int bytes = 0;
            int labels = 1;
            int label = 0;
            int longest = 0;
            int digits = 0;
            int counted = 0;
            int odd = 0;
            for (int i = 0; i < name.length(); i++) {
                char c = name.charAt(i);
                int value;
                if (c == '.') {
                    labels++;
                    longest = Math.max(longest, label);
                    label = 0;
                    bytes++;
                    continue;
                } else if (c == '\\' && isDigits(name, i + 1)) {
                    value = Integer.parseInt(name, i + 1, i + 4, 10) & 0xFF;
                    i += 3;
                } else if (c == '\\' && i + 1 < name.length()) {
                    value = name.charAt(++i) & 0xFF;
                } else {
                    value = c & 0xFF;
                }
                bytes++;
                label++;
                if (value >= '0' && value <= '9') {
                    digits++;
                } else if (!isHostNameLetter(value)) {
                    odd++;
                }
                if (i < registeredStart - 1) { // left of the dot before the registered domain (no escapes there)
                    counts[value >= 'A' && value <= 'Z' ? value + 32 : value]++; // 0x20-randomised case is no content
                    counted++;
                }
            }
            longest = Math.max(longest, label);
            int content = bytes - (labels - 1);
            double entropy = counted == 0 ? Double.NaN : entropyOfCounted(name, registeredStart - 1, counted);
            return new NameShape(bytes, labels, longest, content == 0 ? 0 : (double) digits / content, entropy, odd);
        }

        /**
         * The entropy of the bytes counted, {@code name}'s first {@code end} characters; clears their
         * counts. H = log2(N) - (1/N) sum(c log2 c), with c log2 c from a table: one logarithm a name.
         */
        private double entropyOfCounted(String name, int end, int total) {
            double sum = 0;
            for (int i = 0; i < end; i++) {
                char c = name.charAt(i);
                int value = (c >= 'A' && c <= 'Z' ? c + 32 : c) & 0xFF;
                int count = counts[value];
                if (count > 0) {
                    sum += C_LOG2_C[count];
                    counts[value] = 0; // each byte value once, and clean for the next name
                }
            }
            double bits = Math.log(total) / LN2 - sum / total;
            return bits < 1e-12 ? 0 : bits; // one symbol: no information (and no -0.0 or rounding dust)
        }
    }

    private static final double LN2 = Math.log(2);
    /** c log2 c for every count a name's bytes can reach (a name has at most 255). */
    private static final double[] C_LOG2_C = new double[256];

    static {
        for (int c = 1; c < C_LOG2_C.length; c++) {
            C_LOG2_C[c] = c * (Math.log(c) / LN2);
        }
    }

    private static boolean isHostNameLetter(int value) {
        return value >= 'a' && value <= 'z' || value >= 'A' && value <= 'Z' || value == '-' || value == '_';
    }

    private static boolean isDigits(String name, int from) {
        if (from + 3 > name.length()) {
            return false;
        }
        for (int i = from; i < from + 3; i++) {
            if (name.charAt(i) < '0' || name.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }
}
