package io.flowgate.dispatcher.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowgate.webhooks.AddressRules;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.resolver.AddressResolver;
import io.netty.resolver.dns.DnsAddressResolverGroup;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.SingletonDnsServerAddressStreamProvider;
import io.netty.util.concurrent.Future;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Callback host names are looked up without blocking: a name server that never answers (a tenant
 * can point its callback host at one) leaves the event loop free for every other callback, and the
 * address check holds for what the look-up returns.
 */
class GuardedResolverGroupTests {

    private final MultiThreadIoEventLoopGroup loops = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final EventLoop loop = loops.next();
    private final DatagramSocket silentNameServer = silentNameServer();

    @AfterEach
    void stop() {
        silentNameServer.close();
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    private GuardedResolverGroup resolvers(AddressRules rules) {
        var dns = new DnsAddressResolverGroup(new DnsNameResolverBuilder()
                .datagramChannelType(NioDatagramChannel.class)
                .nameServerProvider(new SingletonDnsServerAddressStreamProvider(
                        (InetSocketAddress) silentNameServer.getLocalSocketAddress()))
                .queryTimeoutMillis(2000)
                .maxQueriesPerResolve(1));
        return new GuardedResolverGroup(rules, dns);
    }

    @Test
    void aNameServerThatNeverAnswersDoesNotHoldTheEventLoop() throws Exception {
        try (var group = resolvers(new AddressRules(List.of()))) {
            AddressResolver<InetSocketAddress> resolver = group.getResolver(loop);
            Future<InetSocketAddress> pending = loop.submit(
                            () -> resolver.resolve(InetSocketAddress.createUnresolved("never.flowgate.test", 443)))
                    .get(5, TimeUnit.SECONDS);
            // The loop is free for other work while that look-up waits for its answer.
            assertThat(loop.submit(() -> "free").get(5, TimeUnit.SECONDS)).isEqualTo("free");
            assertThat(pending.isDone()).isFalse();
            // ... and the look-up ends, refused, after its query timeout.
            assertThat(pending.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(pending.isSuccess()).isFalse();
            assertThat(pending.cause()).isInstanceOf(java.net.UnknownHostException.class);
        }
    }

    @Test
    void namesThatResolveToRefusedAddressesAreRefused() throws Exception {
        // localhost comes from the hosts file: no name server is asked.
        try (var group = resolvers(new AddressRules(List.of()))) {
            Future<InetSocketAddress> refused = group.getResolver(loop)
                    .resolve(InetSocketAddress.createUnresolved("localhost", 80))
                    .await();
            assertThat(refused.cause()).isInstanceOf(GuardedResolverGroup.AddressNotAllowed.class);
        }
        try (var group = resolvers(new AddressRules(List.of("127.0.0.0/8", "::1/128")))) {
            Future<InetSocketAddress> allowed = group.getResolver(loop)
                    .resolve(InetSocketAddress.createUnresolved("localhost", 80))
                    .await();
            assertThat(allowed.isSuccess()).as(String.valueOf(allowed.cause())).isTrue();
            assertThat(allowed.getNow().getAddress().isLoopbackAddress()).isTrue();
            assertThat(allowed.getNow().getPort()).isEqualTo(80);
        }
    }

    private static DatagramSocket silentNameServer() {
        try {
            // Bound, so queries are delivered, and never read: no answer ever comes.
            return new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        } catch (java.net.SocketException e) {
            throw new IllegalStateException(e);
        }
    }
}
