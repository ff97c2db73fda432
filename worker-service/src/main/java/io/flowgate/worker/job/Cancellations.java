package io.flowgate.worker.job;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.flowgate.worker.config.WorkerProperties;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.springframework.stereotype.Component;

/** The jobs cancelled recently (as long as a job may live), and who to tell of a new one. */
@Component
class Cancellations {

    private final Cache<String, Boolean> cancelled;
    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();

    Cancellations(WorkerProperties properties) {
        this.cancelled = Caffeine.newBuilder()
                .expireAfterWrite(properties.cancelMemory())
                .build();
    }

    void cancelled(String jobId) {
        cancelled.put(jobId, Boolean.TRUE);
        listeners.forEach(listener -> listener.accept(jobId));
    }

    boolean isCancelled(String jobId) {
        return cancelled.getIfPresent(jobId) != null;
    }

    void onCancel(Consumer<String> listener) {
        listeners.add(listener);
    }
}
