package io.flowgate.connector;

import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Writes {@code apiProperties.json}: a connection signs the flow's user in with Entra ID (any
 * tenant: {@code common}) for the publisher's multi-tenant application, and the token it gets has
 * Flowgate's Application ID URI as its audience.
 */
public final class ConnectionProperties {

    /** Power Platform's redirect for connectors whose redirect is their own ({@code GlobalPerConnector}). */
    static final String REDIRECT = "https://global.consent.azure-apim.net/redirect";

    private ConnectionProperties() {}

    /** The properties for {@code publisher}. */
    public static ObjectNode of(Publisher publisher) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        ObjectNode properties = root.putObject("properties");
        ObjectNode parameters = properties.putObject("connectionParameters");

        ObjectNode token = parameters.putObject("token");
        token.put("type", "oauthSetting");
        ObjectNode oauth = token.putObject("oAuthSettings");
        oauth.put("identityProvider", "aad");
        oauth.put("clientId", publisher.clientId());
        oauth.putArray("scopes").add(publisher.scope());
        oauth.put("redirectMode", "GlobalPerConnector");
        oauth.put("redirectUrl", REDIRECT);
        ObjectNode settings = oauth.putObject("properties");
        settings.put("IsFirstParty", "False");
        settings.put("AzureActiveDirectoryResourceId", publisher.resourceUri());
        ObjectNode custom = oauth.putObject("customParameters");
        custom.putObject("loginUri").put("value", "https://login.microsoftonline.com");
        custom.putObject("tenantId").put("value", "common");
        custom.putObject("resourceUri").put("value", publisher.resourceUri());
        ObjectNode ui = token.putObject("uiDefinition");
        ui.put("displayName", "Sign in with Microsoft Entra ID");
        ui.put("description", "The account of the flow's user, in any Microsoft Entra ID tenant.");
        ui.put("tooltip", "Provide your work or school account.");
        ui.putObject("constraints").put("required", "true");

        ObjectNode tenant = parameters.putObject("token:TenantId");
        tenant.put("type", "string");
        tenant.putObject("metadata").put("sourceType", "AzureActiveDirectoryTenant");
        ObjectNode tenantUi = tenant.putObject("uiDefinition");
        tenantUi.put("displayName", "Tenant");
        // Microsoft's schema fixes this text, typo included.
        tenantUi.put("description", "The tenant ID of for the Azure Active Directory application");
        tenantUi.putObject("constraints").put("required", "false").put("hidden", "true");

        properties.put("iconBrandColor", publisher.brandColor());
        properties.putArray("capabilities").add("actions").add("triggers");
        properties.put("publisher", publisher.publisher());
        properties.put("stackOwner", publisher.stackOwner());
        return root;
    }
}
