/** Submitting, polling and cancelling jobs: the standard and asynchronous polling actions. */
@NullMarked
package io.flowgate.api.job;

import org.jspecify.annotations.NullMarked;
