package io.dnstapforwarder.shipper.enrich;

import java.util.Locale;

/**
 * Why a question looks generated, data-carrying or unusual: the values of {@code query_suspicious}.
 * Each is a test of one measure against a threshold ({@link SuspicionRules}); an analyst filters on
 * the reason, and the dashboard counts events per reason.
 */
public enum SuspiciousReason {
    /** The name is longer than a host name needs: tunnels fill names with data. */
    LONG_NAME,
    /** More labels than host names have: tunnels split data into many labels. */
    MANY_LABELS,
    /** A label near the 63-byte limit: where tunnels put encoded data. */
    LONG_LABEL,
    /** The part left of the registered domain looks random: generated names and encoded data. */
    HIGH_ENTROPY,
    /** Mostly digits: generated names and data encoded as numbers. */
    MANY_DIGITS,
    /** Bytes a host name never has (anything but letters, digits, hyphen and underscore): base64 data, escapes. */
    ODD_CHARACTERS,
    /** A question type outside the common ones: NULL of iodine, ANY of amplification, private types. */
    RARE_TYPE;

    /** The name in events and options: {@code long_name}. */
    public String fieldValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether {@code reasons}, a set of {@link #bit()}s, holds this one. */
    public boolean in(int reasons) {
        return (reasons & bit()) != 0;
    }

    /** This reason as a bit of a set of reasons. */
    public int bit() {
        return 1 << ordinal();
    }
}
