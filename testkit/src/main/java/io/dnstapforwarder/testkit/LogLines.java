package io.dnstapforwarder.testkit;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** The lines one logger writes while a test watches it; close to stop watching. */
public final class LogLines implements AutoCloseable {

    private final Logger logger;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final Level levelBefore;
    private final boolean additiveBefore;

    private LogLines(String name, Level level) {
        this.logger = (Logger) LoggerFactory.getLogger(name);
        this.levelBefore = logger.getLevel();
        this.additiveBefore = logger.isAdditive();
        if (level != null) {
            logger.setLevel(level);
            logger.setAdditive(false); // what is watched at a level the log leaves out stays out of it
        }
        appender.start();
        logger.addAppender(appender);
    }

    /** Starts watching the logger named after {@code loggerOf}. */
    public static LogLines of(Class<?> loggerOf) {
        return new LogLines(loggerOf.getName(), null);
    }

    /**
     * Starts watching the INFO lines of a logger the configuration quiets (Kafka's are at WARN),
     * without writing them to the log; close restores its level.
     */
    public static LogLines atInfo(Class<?> loggerOf) {
        return new LogLines(loggerOf.getName(), Level.INFO);
    }

    /** Starts watching every logger of the process (the root logger). */
    public static LogLines everything() {
        return new LogLines(org.slf4j.Logger.ROOT_LOGGER_NAME, null);
    }

    /** Each line as it would be written: the message, and the exception with its causes and stack, if any. */
    public List<String> fullText() {
        synchronized (appender.list) {
            return appender.list.stream().map(event -> event.getThrowableProxy() == null ? event.getFormattedMessage()
                    : event.getFormattedMessage() + "\n" + ThrowableProxyUtil.asString(event.getThrowableProxy())).toList();
        }
    }

    /** The formatted messages so far, oldest first. */
    public List<String> messages() {
        synchronized (appender.list) {
            return appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        }
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        appender.stop();
        logger.setLevel(levelBefore);
        logger.setAdditive(additiveBefore);
    }
}
