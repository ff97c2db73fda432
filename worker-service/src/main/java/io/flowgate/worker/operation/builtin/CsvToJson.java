package io.flowgate.worker.operation.builtin;

import io.flowgate.contracts.OperationDescriptor;
import io.flowgate.worker.operation.Descriptors;
import io.flowgate.worker.operation.InvalidOperationInput;
import io.flowgate.worker.operation.JobContext;
import io.flowgate.worker.operation.OperationHandler;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** Parses CSV text into JSON rows with Apache Commons CSV: objects keyed by the header, or arrays. */
@Component
class CsvToJson implements OperationHandler {

    private static final OperationDescriptor DESCRIPTOR = Descriptors.of(
            "csv-to-json",
            "Parse CSV into JSON rows",
            "Parses CSV text into JSON rows, keyed by the header row or as arrays of fields.",
            """
            {"type":"object","required":["csv"],"additionalProperties":false,
             "properties":{
               "csv":{"type":"string","description":"The CSV text."},
               "header":{"type":"boolean","default":true,"description":"Whether the first row names the columns."},
               "delimiter":{"type":"string","minLength":1,"maxLength":1,"default":",","description":"Field delimiter."},
               "quote":{"type":"string","minLength":1,"maxLength":1,"default":"\\"","description":"Quote character."},
               "trim":{"type":"boolean","default":false,"description":"Trim white space around fields."},
               "skipEmptyLines":{"type":"boolean","default":true,"description":"Ignore empty lines."}},
             "examples":[{"csv":"sku,qty\\nA-1,2\\nB-7,5\\n"}]}
            """,
            """
            {"type":"object","required":["rows","count"],
             "properties":{
               "columns":{"type":"array","items":{"type":"string"}},
               "rows":{"type":"array","items":{"type":["object","array"]}},
               "count":{"type":"integer"}}}
            """,
            Duration.ofSeconds(30),
            Duration.ofSeconds(2));

    @Override
    public OperationDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public JsonNode run(JsonNode input, JobContext context) throws InvalidOperationInput {
        boolean header = input.path("header").asBoolean(true);
        char delimiter = input.path("delimiter").asString(",").charAt(0);
        char quote = input.path("quote").asString("\"").charAt(0);
        if (delimiter == quote) {
            throw new InvalidOperationInput("The delimiter and the quote character must differ.");
        }
        CSVFormat.Builder format = CSVFormat.RFC4180
                .builder()
                .setDelimiter(delimiter)
                .setQuote(quote)
                .setTrim(input.path("trim").asBoolean(false))
                .setIgnoreEmptyLines(input.path("skipEmptyLines").asBoolean(true));
        if (header) {
            format.setHeader().setSkipHeaderRecord(true).setAllowMissingColumnNames(true);
        }
        ObjectNode result = JsonNodeFactory.instance.objectNode();
        ArrayNode rows = JsonNodeFactory.instance.arrayNode();
        try (CSVParser parser = CSVParser.builder()
                .setReader(new StringReader(input.get("csv").asString()))
                .setFormat(format.get())
                .get()) {
            List<String> columns = parser.getHeaderNames();
            for (CSVRecord record : parser) {
                if (context.isStopRequested()) {
                    throw new InvalidOperationInput("The conversion was stopped.");
                }
                if (header) {
                    ObjectNode row = rows.addObject();
                    for (int i = 0; i < record.size(); i++) {
                        String name =
                                i < columns.size() && !columns.get(i).isEmpty() ? columns.get(i) : "column" + (i + 1);
                        row.put(name, record.get(i));
                    }
                } else {
                    ArrayNode row = rows.addArray();
                    record.forEach(row::add);
                }
            }
            if (header) {
                ArrayNode names = result.putArray("columns");
                columns.forEach(names::add);
            }
        } catch (IOException | UncheckedIOException | IllegalArgumentException | IllegalStateException e) {
            throw new InvalidOperationInput("The CSV text could not be parsed: " + e.getMessage());
        }
        result.set("rows", rows);
        result.put("count", rows.size());
        return result;
    }
}
