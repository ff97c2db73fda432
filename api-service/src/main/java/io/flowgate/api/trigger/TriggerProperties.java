package io.flowgate.api.trigger;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Positive;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of the triggers (docs/configuration.md).
 *
 * @param pollInterval the {@code Retry-After} of a polling trigger's answer when nothing more waits
 * @param maxItems the most items one batch-mode poll answers, and the default of {@code maxItems}
 * @param scanLimit the most events of its own key one poll reads before it answers (a filter that
 *     matches rarely answers 202 with an advanced state and {@code Retry-After: 0} rather than read on)
 * @param purgeInterval how often the event index removes events past the event retention
 * @param pollBudget how long one poll may read and test events (conditions take time) before it
 *     answers with what it has and {@code Retry-After: 0}
 */
@ConfigurationProperties("flowgate.triggers")
@Validated
public record TriggerProperties(
        @DefaultValue("30s") Duration pollInterval,
        @DefaultValue("100") @Positive @Max(1000) int maxItems,
        @DefaultValue("2000") @Positive int scanLimit,
        @DefaultValue("1h") Duration purgeInterval,
        @DefaultValue("500ms") Duration pollBudget) {}
