/** The dispatcher's settings and wiring. */
@NullMarked
package io.flowgate.dispatcher.config;

import org.jspecify.annotations.NullMarked;
