package io.dnstapforwarder.shipper.render;

import io.dnstapforwarder.shipper.enrich.Enrichment;
import io.dnstapforwarder.shipper.enrich.NameShape;
import io.dnstapforwarder.shipper.enrich.PublicSuffixes;
import io.dnstapforwarder.shipper.enrich.SuspicionRules;
import java.net.IDN;
import java.util.Arrays;

/**
 * What the enrichment says of the names a renderer saw last (questions, and aliases' targets in
 * answers): their registered domain,
 * public suffix, decoded form, shape and the reasons they are suspicious (all but the type's).
 * DNS traffic asks the same names again and again (a query and its response, popular domains,
 * a client's retries), and a name remembered costs a hash and a comparison of its characters
 * instead of a list lookup, a measure and three strings; and the fields last written of it are
 * kept as JSON text, so that writing them again is one copy. Direct-mapped, 4,096 names; forgotten
 * when the Public Suffix List is read again. Not thread-safe: one per renderer.
 */
final class QuestionNames {

    /**
     * What is known of one name.
     *
     * @param registeredDomain lower case, or null
     * @param publicSuffix lower case, or null when the name has no registered domain to speak of
     * @param unicode the decoded form of an internationalised name, or null
     * @param shape the measures, or null when nothing needs them
     * @param nameReasons the suspicious reasons of the name, its type's apart
     */
    record Facts(String registeredDomain, String publicSuffix, String unicode, NameShape shape, int nameReasons) {
    }

    /** A remembered name: its facts, and the fields last written of them, as JSON text. */
    static final class Known {
        final Facts facts;
        private byte[] fields;
        private int variant = -1;

        Known(Facts facts) {
            this.facts = facts;
        }

        /**
         * The fields written of these facts as {@code variant} (what the writer makes of the settings
         * that choose the fields), or null when they were last written otherwise.
         */
        byte[] fields(int variant) {
            return this.variant == variant ? fields : null;
        }

        void remember(int variant, byte[] fields) {
            this.variant = variant;
            this.fields = fields;
        }
    }

    private static final int SIZE = 4096;
    private final Enrichment enrichment;
    private final boolean measure;
    private final NameShape.Meter meter = new NameShape.Meter();
    private final char[][] names = new char[SIZE][];
    private final Known[] known = new Known[SIZE];
    private PublicSuffixes generation;

    QuestionNames(Enrichment enrichment) {
        this.enrichment = enrichment;
        this.measure = enrichment.measuresNames();
    }

    /** The name in {@code text}'s first {@code length} characters, under {@code suffixes}. */
    Known of(char[] text, int length, PublicSuffixes suffixes) {
        if (suffixes != generation) {
            Arrays.fill(names, null);
            generation = suffixes;
        }
        int hash = 1;
        for (int i = 0; i < length; i++) {
            hash = 31 * hash + text[i];
        }
        int slot = (hash ^ hash >>> 16) & (SIZE - 1);
        char[] name = names[slot];
        if (name != null && Arrays.equals(name, 0, name.length, text, 0, length)) {
            return known[slot];
        }
        Known computed = new Known(compute(new String(text, 0, length), suffixes));
        names[slot] = Arrays.copyOf(text, length);
        known[slot] = computed;
        return computed;
    }

    private Facts compute(String name, PublicSuffixes suffixes) {
        PublicSuffixes.Split split = suffixes.split(name);
        NameShape shape = measure ? meter.measure(name, split == null ? -1 : split.registeredStart()) : null;
        SuspicionRules suspicion = enrichment.suspicion();
        int reasons = suspicion == null ? 0 : suspicion.nameReasons(name, shape);
        if (split == null) {
            return new Facts(null, null, null, shape, reasons);
        }
        return new Facts(split.registeredDomain(), split.publicSuffix(), unicode(split.name()), shape, reasons);
    }

    /**
     * An internationalised name as its users read it ({@code 食狮.公司.cn} of
     * {@code xn--85x722f.xn--55qx5d.cn}); null unless some label is an A-label that decodes.
     */
    private static String unicode(String name) {
        if (!name.startsWith("xn--") && !name.contains(".xn--")) {
            return null;
        }
        String unicode = IDN.toUnicode(name, IDN.ALLOW_UNASSIGNED); // a label that does not decode stays as sent
        return unicode.equals(name) ? null : unicode;
    }
}
