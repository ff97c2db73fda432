package io.flowgate.api.job;

import io.flowgate.contracts.JobStatus;

/**
 * What the API knows of a job when it answers: its status, or, while the status view is being
 * restored, only that the job exists and was accepted. {@link JobAnswers} turns it into HTTP.
 */
sealed interface JobReport {

    /** The job's id. */
    String jobId();

    /** The job's current status. */
    record Known(JobStatus status) implements JobReport {
        @Override
        public String jobId() {
            return status.jobId();
        }
    }

    /** The view cannot show the job's status right now: it is reported as accepted, to be polled again. */
    record Restoring(String jobId) implements JobReport {}
}
