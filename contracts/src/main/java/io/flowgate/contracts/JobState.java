package io.flowgate.contracts;

/** Lifecycle of a job; the last four are terminal and never change once reached. */
public enum JobState {
    ACCEPTED,
    RUNNING,
    SUCCEEDED,
    FAILED,
    CANCELLED,
    EXPIRED;

    /** Whether the job has finished for good. */
    public boolean isTerminal() {
        return this != ACCEPTED && this != RUNNING;
    }
}
