package io.flowgate.connector;

import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The package in {@code connector/} as certification takes it: its files, their schemas and rules. */
class ConnectorPackageTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Path CONNECTOR = Path.of("").toAbsolutePath();

    private static String read(String file) throws IOException {
        return Files.readString(CONNECTOR.resolve(file));
    }

    private static List<Error> validate(String schemaFile, SpecificationVersion version, String file)
            throws IOException {
        JsonNode source = JSON.readTree(read("schemas/" + schemaFile));
        if (version == SpecificationVersion.DRAFT_7 && source.has("id")) {
            // Microsoft's paconn schemas declare draft-07 but name themselves with draft-04's "id".
            var renamed = (tools.jackson.databind.node.ObjectNode) source;
            renamed.set("$id", renamed.remove("id"));
        }
        Schema schema = SchemaRegistry.withDefaultDialect(version).getSchema(source);
        return schema.validate(JSON.readTree(read(file)));
    }

    @Test
    void theCommittedFilesAreWhatTheGeneratorWritesFromTheCatalog() throws IOException {
        // After adding an operation: ./mvnw -q -pl connector -am -P write-connector process-classes
        assertThat(read(WriteConnector.DEFINITION))
                .as("apiDefinition.swagger.json is out of date: regenerate it (see WriteConnector)")
                .isEqualTo(WriteConnector.definition(CONNECTOR));
        assertThat(read(WriteConnector.PROPERTIES))
                .as("apiProperties.json is out of date: regenerate it (see WriteConnector)")
                .isEqualTo(WriteConnector.properties(CONNECTOR));
    }

    @Test
    void everyOperationOfTheCatalogIsAnAction() throws IOException {
        JsonNode paths = JSON.readTree(read(WriteConnector.DEFINITION)).get("paths");
        assertThat(BuiltinCatalog.operations()).isNotEmpty().allSatisfy(operation -> {
            JsonNode action =
                    paths.path("/api/v1/operations/" + operation.name()).path("post");
            assertThat(action.path("summary").asString()).isEqualTo(operation.summary());
            assertThat(action.path("responses").has("202")).isTrue();
        });
    }

    @Test
    void everyActionDeclaresATestValueItsOperationAccepts() throws IOException {
        // The contract test sends these: an operation without a valid example cannot be tested.
        JsonNode paths = JSON.readTree(read(WriteConnector.DEFINITION)).get("paths");
        assertThat(BuiltinCatalog.operations()).isNotEmpty().allSatisfy(operation -> {
            JsonNode value = paths.path("/api/v1/operations/" + operation.name())
                    .path("post")
                    .path("parameters")
                    .valueStream()
                    .filter(p -> p.path("in").asString().equals("body"))
                    .findFirst()
                    .orElseThrow()
                    .get("x-ms-test-value");
            assertThat(value).as(operation.name() + " has no x-ms-test-value").isNotNull();
            Schema input = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
                    .getSchema(operation.inputSchema());
            assertThat(input.validate(value)).as(operation.name()).isEmpty();
        });
    }

    @Test
    void theDefinitionValidatesAgainstMicrosoftsSchema() throws IOException {
        assertThat(validate(
                        "apiDefinition.swagger.schema.json", SpecificationVersion.DRAFT_4, WriteConnector.DEFINITION))
                .isEmpty();
    }

    @Test
    void theConnectionPropertiesAndSettingsValidateAgainstMicrosoftsSchemas() throws IOException {
        assertThat(validate(
                        "paconn-apiProperties.schema.json", SpecificationVersion.DRAFT_7, WriteConnector.PROPERTIES))
                .isEmpty();
        assertThat(validate("paconn-settings.schema.json", SpecificationVersion.DRAFT_7, "settings.json"))
                .isEmpty();
    }

    @Test
    void theSchemaCheckIsAbleToFail() throws IOException {
        var broken = (tools.jackson.databind.node.ObjectNode) JSON.readTree(read(WriteConnector.DEFINITION));
        broken.put("swagger", "3.0");
        broken.put("x-not-allowed-here", 1);
        Schema schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4)
                .getSchema(JSON.readTree(read("schemas/apiDefinition.swagger.schema.json")));
        assertThat(schema.validate(broken)).isNotEmpty();
    }

    @Test
    void theDefinitionParsesAsOpenApi2WithoutMessages() throws IOException {
        var result = new io.swagger.parser.SwaggerParser().readWithInfo(read(WriteConnector.DEFINITION));
        assertThat(result.getSwagger()).isNotNull();
        assertThat(result.getSwagger().getSwagger()).isEqualTo("2.0");
        assertThat(result.getMessages()).isEmpty();
    }

    @Test
    void theDefinitionBreaksNoCertificationRule() throws IOException {
        String text = read(WriteConnector.DEFINITION);
        assertThat(CertificationRules.check(JSON.readTree(text), text.length())).isEmpty();
    }

    @Test
    void theIconIsOpaqueAndItsBackgroundIsNeitherWhiteNorTheReservedBlue() throws IOException {
        BufferedImage icon = ImageIO.read(CONNECTOR.resolve("icon.png").toFile());
        assertThat(icon.getWidth()).isEqualTo(230);
        assertThat(icon.getHeight()).isEqualTo(230);
        assertThat(icon.getColorModel().hasAlpha()).isFalse();
        int background = icon.getRGB(2, 2) & 0xffffff;
        assertThat(background).isNotEqualTo(0xffffff).isNotEqualTo(0x007ee5);
        String brand = JSON.readTree(read(WriteConnector.PROPERTIES))
                .path("properties")
                .path("iconBrandColor")
                .asString();
        assertThat(brand).isEqualToIgnoringCase(String.format("#%06x", background));
    }

    @Test
    void theReadmeHasTheSectionsCertificationAsksFor() throws IOException {
        String readme = read("readme.md");
        for (String section : List.of(
                "# Flowgate",
                "## Publisher",
                "## Prerequisites",
                "## Supported Operations",
                "## Obtaining Credentials",
                "## Known Issues and Limitations",
                "## Deployment Instructions")) {
            assertThat(readme).contains(section);
        }
    }
}
