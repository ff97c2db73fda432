package io.flowgate.api.job;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class RequestHashTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void keyOrderDoesNotChangeTheHash() {
        assertThat(RequestHash.of("op", JSON.readTree("{\"a\":1,\"b\":{\"c\":2,\"d\":3}}")))
                .isEqualTo(RequestHash.of("op", JSON.readTree("{\"b\":{\"d\":3,\"c\":2},\"a\":1}")));
    }

    @Test
    void operationAndValuesDo() {
        String base = RequestHash.of("op", JSON.readTree("{\"a\":1}"));
        assertThat(RequestHash.of("op2", JSON.readTree("{\"a\":1}"))).isNotEqualTo(base);
        assertThat(RequestHash.of("op", JSON.readTree("{\"a\":2}"))).isNotEqualTo(base);
    }
}
