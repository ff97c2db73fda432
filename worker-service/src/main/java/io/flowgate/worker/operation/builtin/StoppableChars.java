package io.flowgate.worker.operation.builtin;

import io.flowgate.worker.operation.JobContext;

/**
 * A string that checks the job's stop signal while a regular expression reads it, every 4096
 * characters read, so that matching a large input stops when the job must (cancelled, past its
 * deadline or its CPU time).
 */
final class StoppableChars implements CharSequence {

    /** Thrown out of the match when the job must stop. */
    static final class Stopped extends RuntimeException {

        Stopped() {
            super("The job was stopped while a regular expression ran.", null, false, false);
        }
    }

    private final String text;
    private final JobContext context;
    private int reads;

    StoppableChars(String text, JobContext context) {
        this.text = text;
        this.context = context;
    }

    @Override
    public char charAt(int index) {
        if ((++reads & 0xFFF) == 0 && context.isStopRequested()) {
            throw new Stopped();
        }
        return text.charAt(index);
    }

    @Override
    public int length() {
        return text.length();
    }

    @Override
    public CharSequence subSequence(int start, int end) {
        return text.subSequence(start, end);
    }

    @Override
    public String toString() {
        return text;
    }
}
