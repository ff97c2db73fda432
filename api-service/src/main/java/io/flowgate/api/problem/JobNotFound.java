package io.flowgate.api.problem;

/** No job with this id for this tenant; another tenant's job answers exactly the same. */
public final class JobNotFound extends FlowgateProblem {

    public JobNotFound() {
        super(404, ProblemTypes.JOB_NOT_FOUND, "Job not found", "There is no job with this id.");
    }
}
