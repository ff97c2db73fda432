package io.flowgate.issuer;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

/**
 * A confidential client registered with the local issuer, as an app registration would be in Entra ID.
 *
 * @param tenantId the tenant the client's service principal lives in
 * @param clientId the client (application) id
 * @param clientSecret the client secret
 * @param roles app roles granted to the client, issued in the {@code roles} claim
 */
public record IssuerClient(String tenantId, String clientId, String clientSecret, List<String> roles) {

    /** The object id of the client's service principal: stable per tenant and client. */
    public String objectId() {
        return UUID.nameUUIDFromBytes((tenantId + "/" + clientId).getBytes(StandardCharsets.UTF_8))
                .toString();
    }
}
