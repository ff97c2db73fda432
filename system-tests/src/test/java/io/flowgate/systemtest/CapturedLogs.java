package io.flowgate.systemtest;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Every log event of the shared stack's services (they log through this JVM's Logback) while open,
 * with Flowgate's own loggers at DEBUG.
 */
final class CapturedLogs implements AutoCloseable {

    private final Logger root;
    private final Logger flowgate;
    private final Level previous;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    CapturedLogs() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        flowgate = context.getLogger("io.flowgate");
        previous = flowgate.getLevel();
        appender.setContext(context);
        appender.start();
        root.addAppender(appender);
        flowgate.setLevel(Level.DEBUG);
    }

    /** The events so far. */
    List<ILoggingEvent> events() {
        return List.copyOf(appender.list);
    }

    @Override
    public void close() {
        root.detachAppender(appender);
        flowgate.setLevel(previous);
        appender.stop();
    }
}
