/** Flowgate's callback-dispatcher: delivers webhook callbacks (delivery arrives with the webhook action). */
@NullMarked
package io.flowgate.dispatcher;

import org.jspecify.annotations.NullMarked;
