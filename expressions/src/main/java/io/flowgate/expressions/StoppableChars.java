package io.flowgate.expressions;

import java.util.function.BooleanSupplier;

/**
 * A string that checks a stop signal while a regular expression reads it, every 4096 characters
 * read, so that matching a large input stops when its work must (a job cancelled, past its deadline or
 * its CPU time; a trigger condition past its time).
 */
public final class StoppableChars implements CharSequence {

    /** Thrown out of the match when the work must stop. */
    public static final class Stopped extends RuntimeException {

        Stopped() {
            super("it was stopped while a regular expression ran.", null, false, false);
        }
    }

    private final String text;
    private final BooleanSupplier stop;
    private int reads;

    /** {@code text}, read through a check of {@code stop}. */
    public StoppableChars(String text, BooleanSupplier stop) {
        this.text = text;
        this.stop = stop;
    }

    @Override
    public char charAt(int index) {
        if ((++reads & 0xFFF) == 0 && stop.getAsBoolean()) {
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
