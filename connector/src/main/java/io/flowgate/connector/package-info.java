/**
 * The certified-connector package: {@link io.flowgate.connector.ConnectorDefinition} writes the
 * OpenAPI 2.0 definition from the operation catalog and the trigger definitions,
 * {@link io.flowgate.connector.ConnectionProperties} the connection settings, and
 * {@link io.flowgate.connector.CertificationRules} checks a definition against the certification
 * rules.
 */
@NullMarked
package io.flowgate.connector;

import org.jspecify.annotations.NullMarked;
