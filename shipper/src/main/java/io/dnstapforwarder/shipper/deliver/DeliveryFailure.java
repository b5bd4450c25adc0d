package io.dnstapforwarder.shipper.deliver;

import io.dnstapforwarder.shipper.hec.Outcome;

/** A request that kept failing, as the circuit breaker records it. */
final class DeliveryFailure extends Exception {

    private static final long serialVersionUID = 1L;

    DeliveryFailure(Outcome outcome) {
        super(outcome.toString(), null, false, false);
    }
}
