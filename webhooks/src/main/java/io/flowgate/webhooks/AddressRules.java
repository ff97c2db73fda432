package io.flowgate.webhooks;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import inet.ipaddr.ipv6.IPv6Address;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;

/**
 * Which network addresses a callback may connect to: every public unicast address, and none of the
 * special-purpose ranges (loopback, private, carrier-grade NAT, link-local with the cloud metadata
 * endpoints, unique-local, multicast, documentation, reserved), unless an operator exempts a range.
 * An IPv6 address that embeds an IPv4 one (mapped, NAT64, 6to4) is judged by the IPv4 address.
 *
 * <p>The ranges follow the IANA special-purpose address registries; the {@code ipaddress} library
 * does the parsing and containment for both families.
 */
public final class AddressRules {

    private static final List<IPAddress> DENIED = parse(List.of(
            // IPv4 (RFC 6890 and successors)
            "0.0.0.0/8",
            "10.0.0.0/8",
            "100.64.0.0/10",
            "127.0.0.0/8",
            "169.254.0.0/16",
            "172.16.0.0/12",
            "192.0.0.0/24",
            "192.0.2.0/24",
            "192.88.99.0/24",
            "192.168.0.0/16",
            "198.18.0.0/15",
            "198.51.100.0/24",
            "203.0.113.0/24",
            "224.0.0.0/4",
            "240.0.0.0/4",
            // IPv6
            "::/128",
            "::1/128",
            "100::/64",
            "2001::/23",
            "2001:db8::/32",
            "fc00::/7",
            "fe80::/10",
            "fec0::/10",
            "ff00::/8"));

    private static final IPAddress NAT64 = new IPAddressString("64:ff9b::/96").getAddress();
    private static final IPAddress SIX_TO_FOUR = new IPAddressString("2002::/16").getAddress();

    private final List<IPAddress> exempt;

    /**
     * @param exemptRanges CIDR ranges allowed although special-purpose (for example {@code
     *     127.0.0.1/32} on a developer's machine); empty in production
     */
    public AddressRules(List<String> exemptRanges) {
        this.exempt = parse(exemptRanges);
    }

    /** Whether a callback may connect to {@code address}. */
    public boolean allows(InetAddress address) {
        IPAddress ip = toIp(address);
        if (exempt.stream().anyMatch(range -> range.contains(ip))) {
            return true;
        }
        IPAddress judged = embeddedIpv4(ip);
        if (judged != ip && exempt.stream().anyMatch(range -> range.contains(judged))) {
            return true;
        }
        return DENIED.stream().noneMatch(range -> range.contains(judged));
    }

    private static IPAddress embeddedIpv4(IPAddress ip) {
        if (ip instanceof IPv6Address v6) {
            if (v6.isIPv4Mapped() || v6.isIPv4Compatible() && !v6.isZero() && !v6.isLoopback()) {
                return v6.getEmbeddedIPv4Address();
            }
            if (NAT64.contains(v6)) {
                return v6.getEmbeddedIPv4Address(12);
            }
            if (SIX_TO_FOUR.contains(v6)) {
                return v6.getEmbeddedIPv4Address(2);
            }
        }
        return ip;
    }

    private static IPAddress toIp(InetAddress address) {
        return switch (address) {
            case Inet4Address v4 -> new inet.ipaddr.ipv4.IPv4Address(v4);
            case Inet6Address v6 -> new IPv6Address(v6);
            default -> throw new IllegalArgumentException("not an IP address: " + address);
        };
    }

    private static List<IPAddress> parse(List<String> ranges) {
        return ranges.stream()
                .map(range -> {
                    IPAddress parsed = new IPAddressString(range.strip()).getAddress();
                    if (parsed == null) {
                        throw new IllegalArgumentException("not an IP address range: '" + range + "'");
                    }
                    return parsed.toPrefixBlock();
                })
                .toList();
    }
}
