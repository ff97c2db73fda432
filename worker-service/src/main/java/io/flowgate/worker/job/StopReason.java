package io.flowgate.worker.job;

/** Why a running job is asked to stop. */
enum StopReason {
    /** The tenant cancelled it: it ends CANCELLED. */
    CANCELLED,
    /** Its deadline passed: it ends EXPIRED. */
    EXPIRED,
    /** It used more CPU time than a job may: it ends FAILED. */
    CPU_LIMIT,
    /** This worker is shutting down or lost the partition: it ends nowhere, and runs again elsewhere. */
    HANDED_OVER
}
