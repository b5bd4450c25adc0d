package io.dnstapforwarder.testkit;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

/** JSON reading for assertions. */
public final class Json {

    private Json() {
    }

    /**
     * A mapper that keeps decimal numbers exactly as written ({@code 1795964864.986965} stays
     * that, not a double), so tests can check that times carry their microseconds.
     */
    public static ObjectMapper exactDecimals() {
        return new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));
    }
}
