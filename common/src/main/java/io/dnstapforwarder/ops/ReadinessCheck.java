package io.dnstapforwarder.ops;

/** Answers whether the service can do its job right now. Must be quick and must not throw. */
@FunctionalInterface
public interface ReadinessCheck {
    Readiness check();
}
