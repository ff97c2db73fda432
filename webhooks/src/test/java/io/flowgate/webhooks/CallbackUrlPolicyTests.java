package io.flowgate.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CallbackUrlPolicyTests {

    private final CallbackUrlPolicy production =
            new CallbackUrlPolicy(false, CallbackUrlPolicy.DEFAULT_ALLOWED_HOSTS, new AddressRules(List.of()));

    @Test
    void acceptsLogicAppsAndPowerAutomateCallbackUrls() {
        String url = "https://prod-27.westus.logic.azure.com:443/workflows/abc/runs/def/operations/ghi"
                + "?api-version=2016-06-01&sp=%2Fruns%2F&sv=1.0&sig=s3cr3t";
        assertThat(production.check(url)).isEqualTo(URI.create(url));
        assertThat(production.check("https://PROD-01.usgovarizona.LOGIC.AZURE.US/workflows/x"))
                .isNotNull();
        assertThat(CallbackUrlPolicy.authority(URI.create("https://a.logic.azure.com/x")))
                .isEqualTo("a.logic.azure.com:443");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "http://prod-27.westus.logic.azure.com/workflows/x | must use https",
                "https://evil.example.com/x | not on the allow-list",
                "https://logic.azure.com.evil.example/x | not on the allow-list",
                "https://evillogic.azure.com/x | not on the allow-list",
                "https://user:pw@prod-1.westus.logic.azure.com/x | user credentials",
                "https://127.0.0.1/x | not on the allow-list",
                "https://[::1]/x | not on the allow-list",
                "ftp://prod-1.westus.logic.azure.com/x | must use https",
                "/relative/path | must use https",
                "https://exa mple.com/ | not a valid URL"
            })
    void refusesWithAReasonThatNeverRepeatsTheUrl(String url, String reason) {
        assertThatThrownBy(() -> production.check(url))
                .isInstanceOf(CallbackUrlPolicy.Refused.class)
                .hasMessageContaining(reason)
                .hasMessageNotContaining(url);
    }

    @Test
    void anAllowedIpHostMustStillBeAnAllowedAddress() {
        var policy = new CallbackUrlPolicy(
                true, List.of("127.0.0.1", "10.0.0.1", "[::1]"), new AddressRules(List.of("127.0.0.1/32")));
        assertThat(policy.check("http://127.0.0.1:9000/cb")).isNotNull();
        assertThatThrownBy(() -> policy.check("http://10.0.0.1/cb")).hasMessageContaining("not allowed");
        assertThatThrownBy(() -> policy.check("http://[::1]:9000/cb")).hasMessageContaining("not allowed");
    }

    @Test
    void refusesOverlongUrls() {
        String url = "https://a.logic.azure.com/" + "x".repeat(CallbackUrlPolicy.MAX_LENGTH);
        assertThatThrownBy(() -> production.check(url)).hasMessageContaining("longer than");
    }
}
