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
 * instead of a list lookup, a measure and three strings. Direct-mapped, 4,096 names; forgotten
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

    private static final int SIZE = 4096;
    private final Enrichment enrichment;
    private final boolean measure;
    private final NameShape.Meter meter = new NameShape.Meter();
    private final char[][] names = new char[SIZE][];
    private final Facts[] facts = new Facts[SIZE];
    private PublicSuffixes generation;

    QuestionNames(Enrichment enrichment) {
        this.enrichment = enrichment;
        this.measure = enrichment.measuresNames();
    }

    /** The facts of the name in {@code text}'s first {@code length} characters, under {@code suffixes}. */
    Facts of(char[] text, int length, PublicSuffixes suffixes) {
        if (suffixes != generation) {
            Arrays.fill(names, null);
            generation = suffixes;
        }
        int hash = 1;
        for (int i = 0; i < length; i++) {
            hash = 31 * hash + text[i];
        }
        int slot = (hash ^ hash >>> 16) & (SIZE - 1);
        char[] known = names[slot];
        if (known != null && Arrays.equals(known, 0, known.length, text, 0, length)) {
            return facts[slot];
        }
        Facts computed = compute(new String(text, 0, length), suffixes);
        names[slot] = Arrays.copyOf(text, length);
        facts[slot] = computed;
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
