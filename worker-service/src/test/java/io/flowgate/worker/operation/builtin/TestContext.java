package io.flowgate.worker.operation.builtin;

import io.flowgate.worker.operation.JobContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** A job context for handler tests: records progress, and can be stopped. */
class TestContext implements JobContext {

    final List<Integer> progress = new ArrayList<>();
    private final CountDownLatch stopped = new CountDownLatch(1);

    void stopNow() {
        stopped.countDown();
    }

    @Override
    public String jobId() {
        return "job";
    }

    @Override
    public String tenantId() {
        return "tenant";
    }

    @Override
    public void progress(int percent, String message) {
        progress.add(percent);
    }

    @Override
    public boolean isStopRequested() {
        return stopped.getCount() == 0;
    }

    @Override
    public void sleep(Duration duration) throws InterruptedException {
        if (stopped.await(duration.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new InterruptedException("stopped");
        }
    }
}
