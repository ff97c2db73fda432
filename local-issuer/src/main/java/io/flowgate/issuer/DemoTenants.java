package io.flowgate.issuer;

import java.util.List;

/** The demo tenants and clients of the local stack, documented in the README. */
public final class DemoTenants {

    /** Tenant "Contoso". */
    public static final String CONTOSO = "11111111-1111-4111-8111-111111111111";

    /** Tenant "Fabrikam". */
    public static final String FABRIKAM = "22222222-2222-4222-8222-222222222222";

    /** The connector publisher's own tenant, where the operators' admin client lives. */
    public static final String OPERATOR = "33333333-3333-4333-8333-333333333333";

    /** The app role that administration needs. */
    public static final String OPERATOR_ROLE = "Flowgate.Operator";

    /** Contoso's connector client. */
    public static final IssuerClient CONTOSO_CLIENT =
            new IssuerClient(CONTOSO, "contoso-flows", "contoso-secret", List.of());

    /** Fabrikam's connector client. */
    public static final IssuerClient FABRIKAM_CLIENT =
            new IssuerClient(FABRIKAM, "fabrikam-flows", "fabrikam-secret", List.of());

    /** The app role a tenant's own services need to publish events. */
    public static final String EVENTS_ROLE = "Flowgate.Events";

    /** Contoso's own back-end service, granted the events app role: it publishes events. */
    public static final IssuerClient CONTOSO_EVENTS_CLIENT =
            new IssuerClient(CONTOSO, "contoso-events", "events-secret", List.of(EVENTS_ROLE));

    /** The operators' admin client, granted the operator app role. */
    public static final IssuerClient OPERATOR_CLIENT =
            new IssuerClient(OPERATOR, "flowgate-admin", "admin-secret", List.of(OPERATOR_ROLE));

    /** All demo clients. */
    public static List<IssuerClient> clients() {
        return List.of(CONTOSO_CLIENT, FABRIKAM_CLIENT, CONTOSO_EVENTS_CLIENT, OPERATOR_CLIENT);
    }

    private DemoTenants() {}
}
