/** Callback URL rules (SSRF protection) and webhook signing keys, shared by the API and the dispatcher. */
@NullMarked
package io.flowgate.webhooks;

import org.jspecify.annotations.NullMarked;
