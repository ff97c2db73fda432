package io.flowgate.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class OpenApi2SchemasTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static JsonNode of(String schema) {
        return OpenApi2Schemas.of(JSON.readTree(schema));
    }

    @Test
    void whatOpenApi2HasIsKeptAndNestedSchemasAreConvertedToo() {
        JsonNode out = of("""
                {"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","required":["a"],
                 "additionalProperties":false,
                 "properties":{"a":{"type":"string","maxLength":3,"description":"A.","x-ms-summary":"A"},
                   "b":{"type":"array","items":{"type":["string","null"]}},
                   "c":{"type":"object","additionalProperties":{"const":1}}}}""");
        assertThat(out).isEqualTo(JSON.readTree("""
                {"required":["a"],"type":"object","additionalProperties":false,
                 "properties":{"a":{"description":"A.","maxLength":3,"x-ms-summary":"A","type":"string"},
                   "b":{"type":"array","items":{"type":"string","x-nullable":true}},
                   "c":{"type":"object","additionalProperties":{"enum":[1]}}}}"""));
    }

    @Test
    void keywordsOpenApi2LacksAreLeftOutAndTypeListsLeaveTheValueUntyped() {
        JsonNode out = of("""
                {"type":["object","boolean"],"oneOf":[{}],"$defs":{"x":{}},"if":{},"then":{},
                 "exclusiveMinimum":0,"examples":["e"],"patternProperties":{"^a":{}}}""");
        assertThat(out).isEqualTo(JSON.readTree("""
                {"minimum":0,"exclusiveMinimum":true,"example":"e"}"""));
    }

    @Test
    void booleanSchemasBecomeUntyped() {
        assertThat(OpenApi2Schemas.of(JSON.readTree("true"))).isEmpty();
    }
}
