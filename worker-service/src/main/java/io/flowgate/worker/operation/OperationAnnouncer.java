package io.flowgate.worker.operation;

import io.flowgate.contracts.Topics;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

/** Announces this worker's operations on {@code flowgate.operations}, where the API's catalog reads them. */
@Component
class OperationAnnouncer {

    private static final Logger log = LoggerFactory.getLogger(OperationAnnouncer.class);

    private final List<OperationHandler> handlers;
    private final KafkaTemplate<String, Object> kafka;

    OperationAnnouncer(List<OperationHandler> handlers, KafkaTemplate<String, Object> statusTemplate) {
        this.handlers = handlers;
        this.kafka = statusTemplate;
    }

    @EventListener(ApplicationReadyEvent.class)
    void announce() throws Exception {
        for (OperationHandler handler : handlers) {
            var descriptor = handler.descriptor();
            kafka.send(Topics.OPERATIONS.name(), descriptor.name(), descriptor).get(30, TimeUnit.SECONDS);
        }
        log.info(
                "Announced operations {}",
                handlers.stream().map(h -> h.descriptor().name()).toList());
    }
}
