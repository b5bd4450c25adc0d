package io.dnstapforwarder.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class RateLimitedLoggerTest {

    @Test
    void logsOncePerIntervalAndCountsWhatItHeldBack() {
        Logger logger = (Logger) LoggerFactory.getLogger("rate-limited-test");
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        AtomicLong now = new AtomicLong();
        RateLimitedLogger limited = new RateLimitedLogger(logger, Duration.ofSeconds(10), now::get);

        limited.warn("kafka", "Kafka unavailable: {}", "first");
        limited.warn("kafka", "Kafka unavailable: {}", "second");
        limited.warn("other", "Other: {}", "x");
        limited.warn("kafka", "Kafka unavailable: {}", "third");
        now.set(Duration.ofSeconds(10).toNanos());
        limited.warn("kafka", "Kafka unavailable: {}", "fourth");

        assertThat(appender.list).extracting(ILoggingEvent::getFormattedMessage).containsExactly(
                "Kafka unavailable: first",
                "Other: x",
                "Kafka unavailable: fourth (2 similar messages suppressed)");
    }
}
