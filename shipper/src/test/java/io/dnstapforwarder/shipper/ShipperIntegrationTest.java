package io.dnstapforwarder.shipper;

import io.dnstapforwarder.testkit.HecEmulator;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** The set-up of the shipper's integration tests: a HEC emulator and a {@link ShipperHarness}, fresh for each test. */
abstract class ShipperIntegrationTest {

    static final String TOKEN = "8f6a3c2e-0000-4000-8000-000000000001";

    @TempDir
    Path dir;

    HecEmulator hec;
    ShipperHarness harness;

    /** The HEC the tests deliver to; override for other emulator settings. */
    HecEmulator startHec() {
        return HecEmulator.start(TOKEN);
    }

    @BeforeEach
    void startHecAndHarness() {
        hec = startHec();
        harness = new ShipperHarness(dir);
    }

    @AfterEach
    void stopShippersAndHec() {
        harness.close();
        hec.close();
    }
}
