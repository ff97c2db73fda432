package io.flowgate.webhooks;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;

/**
 * Which callback URLs Flowgate accepts and calls (docs/callbacks.md, "SSRF protection"): absolute https URLs (plain
 * http only when configured, for a developer's machine) whose host matches the allow-list, with no
 * user info; a host written as an IP address must also pass the {@link AddressRules}. Names are
 * resolved and checked again at connect time by the dispatcher.
 */
public final class CallbackUrlPolicy {

    /** Longest callback URL accepted (Logic Apps callback URLs are a few hundred characters). */
    public static final int MAX_LENGTH = 4096;

    /**
     * Hosts of Logic Apps and Power Automate callback URLs in the public, US Government and China
     * clouds.
     */
    public static final List<String> DEFAULT_ALLOWED_HOSTS = List.of(
            "*.logic.azure.com",
            "*.logic.azure.us",
            "*.logic.azure.cn",
            "*.logic.chinacloudapi.cn",
            "*.environment.api.powerplatform.com",
            "*.environment.api.powerplatform.us",
            "*.environment.api.appsplatform.us",
            "*.environment.api.powerplatform.partner.microsoftonline.cn");

    private final boolean allowHttp;
    private final List<String> allowedHosts;
    private final AddressRules addresses;

    /**
     * @param allowHttp whether plain {@code http} URLs are accepted (local use only)
     * @param allowedHosts host names ({@code host}) or suffixes ({@code *.domain}); IP addresses as written
     * @param addresses which addresses may be called
     */
    public CallbackUrlPolicy(boolean allowHttp, List<String> allowedHosts, AddressRules addresses) {
        this.allowHttp = allowHttp;
        this.allowedHosts = allowedHosts.stream().map(h -> normalize(h.strip())).toList();
        this.addresses = addresses;
    }

    /** The address rules applied at connect time. */
    public AddressRules addresses() {
        return addresses;
    }

    /**
     * The URL, if the policy accepts it.
     *
     * @throws Refused with a reason that can be shown to the caller (it never repeats the URL)
     */
    public URI check(String url) {
        if (url.length() > MAX_LENGTH) {
            throw new Refused("The callback URL is longer than " + MAX_LENGTH + " characters.");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new Refused("The callback URL is not a valid URL.");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !(allowHttp && scheme.equals("http"))) {
            throw new Refused(
                    allowHttp ? "The callback URL must use https or http." : "The callback URL must use https.");
        }
        if (uri.getRawUserInfo() != null) {
            throw new Refused("The callback URL must not carry user credentials.");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new Refused("The callback URL has no host.");
        }
        String host = normalize(uri.getHost());
        if (!hostAllowed(host)) {
            throw new Refused("The callback URL's host is not on the allow-list.");
        }
        if (isIpLiteral(host) && !addresses.allows(literal(host))) {
            throw new Refused("The callback URL points to an address that is not allowed.");
        }
        return uri;
    }

    /** {@code host:port} of an accepted URL, the port made explicit. */
    public static String authority(URI uri) {
        int port = uri.getPort() != -1 ? uri.getPort() : uri.getScheme().equalsIgnoreCase("https") ? 443 : 80;
        return normalize(uri.getHost()) + ":" + port;
    }

    private boolean hostAllowed(String host) {
        for (String allowed : allowedHosts) {
            if (allowed.startsWith("*.")) {
                if (host.endsWith(allowed.substring(1)) && host.length() > allowed.length() - 1) {
                    return true;
                }
            } else if (allowed.equals(host)) {
                return true;
            }
        }
        return false;
    }

    private static String normalize(String host) {
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        String lower = bare.toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    }

    private static boolean isIpLiteral(String host) {
        return host.contains(":") || host.chars().allMatch(c -> c == '.' || Character.isDigit(c));
    }

    private static InetAddress literal(String host) {
        try {
            return InetAddress.ofLiteral(host);
        } catch (IllegalArgumentException e) {
            throw new Refused("The callback URL's host is not a valid address.");
        }
    }

    /** A callback URL the policy refuses, with a reason fit for the caller. */
    public static final class Refused extends RuntimeException {
        public Refused(String reason) {
            super(reason, null, false, false);
        }
    }
}
