package io.flowgate.api.trigger;

import io.flowgate.api.problem.FlowgateProblem;
import io.flowgate.api.problem.InvalidRequest;
import io.flowgate.api.problem.ProblemTypes;
import io.flowgate.contracts.TriggerEvent;
import io.flowgate.contracts.Triggers;
import io.flowgate.expressions.Condition;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.util.MultiValueMap;

/**
 * A trigger and a filter for it, in canonical form, as a poll or a trigger subscription asks for them
 * in its query parameters.
 *
 * @param trigger the trigger
 * @param filter its filter parameters, canonical ({@link Triggers#filter})
 */
public record TriggerSelection(Triggers.Definition trigger, Map<String, String> filter) {

    /**
     * The trigger named {@code name} with the filter in {@code query}, leaving out the parameters
     * named in {@code reserved} (the poll's own).
     *
     * @throws FlowgateProblem 404 for an unknown trigger, 400 for a filter that does not fit it
     */
    public static TriggerSelection of(String name, MultiValueMap<String, String> query, Set<String> reserved) {
        Triggers.Definition trigger = Triggers.find(name).orElseThrow(() -> FlowgateProblem.triggerNotFound(name));
        Map<String, String> parameters = new HashMap<>();
        for (Map.Entry<String, List<String>> parameter : query.entrySet()) {
            if (reserved.contains(parameter.getKey())) {
                continue;
            }
            if (parameter.getValue().size() != 1) {
                throw invalid("'" + parameter.getKey() + "' is given more than once.");
            }
            parameters.put(parameter.getKey(), parameter.getValue().getFirst());
        }
        Map<String, String> filter;
        try {
            filter = Triggers.filter(trigger, parameters);
        } catch (Triggers.InvalidFilter e) {
            throw invalid(String.valueOf(e.getMessage()));
        }
        String condition = filter.get(Triggers.CONDITION);
        if (condition != null) {
            try {
                Condition.check(condition);
            } catch (Condition.Invalid e) {
                throw invalid(String.valueOf(e.getMessage()));
            }
        }
        return new TriggerSelection(trigger, filter);
    }

    /**
     * Whether {@code event} passes the filter: its field filters, then its condition on the item
     * (evaluated within {@link Condition}'s limits).
     */
    public boolean passes(TriggerEvent event) {
        if (!Triggers.matches(filter, event)) {
            return false;
        }
        String condition = filter.get(Triggers.CONDITION);
        return condition == null || Condition.passes(condition, Triggers.item(event));
    }

    /** The trigger's name. */
    public String name() {
        return trigger.name();
    }

    private static InvalidRequest invalid(String detail) {
        return new InvalidRequest(ProblemTypes.INVALID_TRIGGER_FILTER, "Invalid trigger filter", detail);
    }
}
