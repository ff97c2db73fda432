package io.flowgate.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AddressRulesTests {

    private final AddressRules strict = new AddressRules(List.of());

    @ParameterizedTest
    @ValueSource(
            strings = {
                "127.0.0.1",
                "127.1.2.3",
                "::1",
                "10.0.0.1",
                "172.16.5.4",
                "192.168.1.1",
                "169.254.169.254", // cloud metadata
                "100.100.100.200", // carrier-grade NAT range, another metadata endpoint
                "0.0.0.0",
                "::",
                "fd00:ec2::254", // unique-local, the IPv6 metadata endpoint
                "fe80::1",
                "ff02::1",
                "224.0.0.1",
                "255.255.255.255",
                "::ffff:10.0.0.1", // IPv4-mapped
                "64:ff9b::a00:1", // NAT64 of 10.0.0.1
                "2002:a00:1::1", // 6to4 of 10.0.0.1
                "2001:db8::1"
            })
    void specialPurposeAddressesAreRefused(String address) throws Exception {
        assertThat(strict.allows(InetAddress.getByName(address))).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"20.42.64.10", "52.168.10.1", "2603:1030::1", "64:ff9b::1414:1414"})
    void publicAddressesAreAllowed(String address) throws Exception {
        assertThat(strict.allows(InetAddress.getByName(address))).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "::ffff:127.0.0.1"})
    void anExemptRangeIsAllowed(String address) throws Exception {
        AddressRules local = new AddressRules(List.of("127.0.0.1/32"));
        assertThat(local.allows(InetAddress.getByName(address))).isTrue();
        assertThat(local.allows(InetAddress.getByName("127.0.0.2"))).isFalse();
        assertThat(local.allows(InetAddress.getByName("::1"))).isFalse();
    }
}
