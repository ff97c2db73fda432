package io.flowgate.worker.operation;

import io.flowgate.contracts.Topics;
import io.flowgate.kafka.TopicWriter;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/** Announces this worker's operations on {@code flowgate.operations}, where the API's catalog reads them. */
@Component
class OperationAnnouncer {

    private static final Logger log = LoggerFactory.getLogger(OperationAnnouncer.class);

    private final List<OperationHandler> handlers;
    private final TopicWriter kafka;

    OperationAnnouncer(List<OperationHandler> handlers, TopicWriter topicWriter) {
        this.handlers = handlers;
        this.kafka = topicWriter;
    }

    @EventListener(ApplicationReadyEvent.class)
    void announce() throws Exception {
        for (OperationHandler handler : handlers) {
            var descriptor = handler.descriptor();
            kafka.send(Topics.OPERATIONS, descriptor.name(), descriptor).get(30, TimeUnit.SECONDS);
        }
        log.info(
                "Announced operations {}",
                handlers.stream().map(h -> h.descriptor().name()).toList());
    }
}
