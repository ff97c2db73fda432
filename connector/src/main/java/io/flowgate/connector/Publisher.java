package io.flowgate.connector;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import tools.jackson.databind.json.JsonMapper;

/**
 * What the publisher who runs Flowgate fills in ({@code connector/publisher.json}): the names,
 * addresses and Entra ID application that the package declares.
 *
 * @param title the connector's name (at most 30 characters, no "API" or "Connector")
 * @param description what it does, 30 to 500 characters
 * @param version the definition's version ({@code info.version})
 * @param host the production host name of the API, without scheme or path
 * @param contact who answers for the connector
 * @param website the publisher's website
 * @param privacyPolicy the privacy policy's address
 * @param categories at most two of Power Platform's connector categories
 * @param brandColor the icon's background colour, {@code #rrggbb}
 * @param publisher the publisher's name
 * @param stackOwner who runs the service behind the connector
 * @param clientId the multi-tenant Entra ID application's client id
 * @param resourceUri the Application ID URI: the audience Flowgate checks
 * @param scope the delegated scope a flow's token carries
 */
public record Publisher(
        String title,
        String description,
        String version,
        String host,
        Contact contact,
        String website,
        String privacyPolicy,
        List<String> categories,
        String brandColor,
        String publisher,
        String stackOwner,
        String clientId,
        String resourceUri,
        String scope) {

    /** {@code info.contact}. */
    public record Contact(String name, String url, String email) {}

    /** Reads {@code publisher.json}. */
    public static Publisher read(Path file) {
        try {
            return JsonMapper.builder().build().readValue(Files.readString(file), Publisher.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
