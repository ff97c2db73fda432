package io.flowgate.worker.job;

/** Why a running job is asked to stop. */
enum StopReason {
    /** The tenant cancelled it: it ends CANCELLED. */
    CANCELLED,
    /** Its deadline passed: it ends EXPIRED. */
    EXPIRED,
    /** This worker is shutting down or lost the partition: it ends nowhere, and runs again elsewhere. */
    HANDED_OVER
}
