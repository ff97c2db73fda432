package io.flowgate.worker.operation.builtin;

import io.flowgate.contracts.OperationDescriptor;
import io.flowgate.worker.operation.Descriptors;
import io.flowgate.worker.operation.JobContext;
import io.flowgate.worker.operation.OperationHandler;
import java.time.Duration;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

/** A timer: waits the given number of seconds, reporting progress each second, and returns its input. */
@Component
class Delay implements OperationHandler {

    private static final OperationDescriptor DESCRIPTOR = Descriptors.of(
            "delay",
            "Wait for a while",
            "Waits the given number of seconds, reporting progress, and then returns its input unchanged.",
            """
            {"type":"object","required":["seconds"],
             "properties":{"seconds":{"type":"integer","minimum":0,"maximum":86400,"description":"How long to wait."}},
             "examples":[{"seconds":2}]}
            """,
            """
            {"type":"object","required":["seconds"],"properties":{"seconds":{"type":"integer"}}}
            """,
            Duration.ofSeconds(5),
            Duration.ofSeconds(1));

    @Override
    public OperationDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public JsonNode run(JsonNode input, JobContext context) throws InterruptedException {
        int seconds = input.get("seconds").asInt();
        for (int done = 0; done < seconds; done++) {
            context.progress(done * 100 / seconds, done + " of " + seconds + " s");
            context.sleep(Duration.ofSeconds(1));
        }
        return input;
    }
}
