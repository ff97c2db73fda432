package io.flowgate.api.subscription;

import io.flowgate.contracts.Subscription;
import io.flowgate.tenancy.TenantDirectory;
import io.flowgate.webhooks.CallbackUrlPolicy;
import io.flowgate.webhooks.SecretBox;
import io.flowgate.webhooks.SigningKeys;
import io.flowgate.webhooks.WebhookSettings;
import org.apache.kafka.streams.StreamsBuilder;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The callback URL policy, the sealing of callback URLs, the signing keys, and the subscriptions view. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(WebhookSettings.class)
class SubscriptionConfig {

    @Bean
    CallbackUrlPolicy callbackUrlPolicy(WebhookSettings settings) {
        return settings.policy();
    }

    @Bean
    SecretBox callbackUrlBox(WebhookSettings settings) {
        return SecretBox.fromKeyset(settings.keyset());
    }

    @Bean
    SigningKeys signingKeys(WebhookSettings settings) {
        return settings.keys();
    }

    @Bean
    SubscriptionTopologyMarker subscriptionTopology(
            StreamsBuilder builder, TenantSubscriptions active, TenantDirectory tenants) {
        SubscriptionTopology.addTo(
                builder,
                new SubscriptionTopology.Listener() {
                    @Override
                    public void applied(Subscription subscription) {
                        active.observed(subscription);
                    }

                    @Override
                    public void removed(Subscription last) {
                        active.forget(last);
                    }

                    @Override
                    public void released(Subscription subscription) {
                        active.release(subscription.tenantId(), subscription.subscriptionId());
                    }
                },
                tenants::isOffboarded);
        return new SubscriptionTopologyMarker();
    }

    /** Marks that the subscriptions view has been added to the topology. */
    record SubscriptionTopologyMarker() {}
}
