package io.flowgate.connector;

import io.flowgate.contracts.Triggers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import tools.jackson.core.util.DefaultIndenter;
import tools.jackson.core.util.DefaultPrettyPrinter;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes {@code apiDefinition.swagger.json} and {@code apiProperties.json} into the connector
 * directory from {@code publisher.json}, the worker's operations and the trigger definitions. Run it
 * after adding an operation: {@code ./mvnw -q -pl connector -am -P write-connector
 * process-classes}; a test fails while the committed files differ from what it writes.
 */
public final class WriteConnector {

    /** The definition's file name, as the certification layout names it. */
    public static final String DEFINITION = "apiDefinition.swagger.json";

    /** The connection properties' file name. */
    public static final String PROPERTIES = "apiProperties.json";

    private WriteConnector() {}

    public static void main(String[] args) throws IOException {
        Path directory = Path.of(args.length > 0 ? args[0] : "connector");
        Files.writeString(directory.resolve(DEFINITION), definition(directory));
        Files.writeString(directory.resolve(PROPERTIES), properties(directory));
        System.out.println("Wrote " + directory.resolve(DEFINITION) + " and " + directory.resolve(PROPERTIES));
    }

    /** The definition's text for the connector in {@code directory}. */
    public static String definition(Path directory) {
        Publisher publisher = Publisher.read(directory.resolve("publisher.json"));
        return text(ConnectorDefinition.of(publisher, BuiltinCatalog.operations(), Triggers.all()));
    }

    /** The connection properties' text for the connector in {@code directory}. */
    public static String properties(Path directory) {
        return text(ConnectionProperties.of(Publisher.read(directory.resolve("publisher.json"))));
    }

    /** Two-space indented JSON with a final line break, so the files diff well. */
    static String text(JsonNode node) {
        DefaultPrettyPrinter printer = new DefaultPrettyPrinter().withObjectIndenter(new DefaultIndenter("  ", "\n"));
        return JsonMapper.builder().build().writer().with(printer).writeValueAsString(node) + "\n";
    }
}
