package io.flowgate.dispatcher.delivery;

import io.flowgate.webhooks.AddressRules;
import io.netty.resolver.AbstractAddressResolver;
import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Name resolution for callbacks that refuses names resolving to an address the {@link AddressRules}
 * do not allow (loopback, private, link-local, metadata...). The connection is then made to exactly
 * the address checked here, so a name cannot resolve to a public address for the check and a private
 * one for the connection (DNS rebinding). A name with any refused address is refused as a whole.
 *
 * <p>The look-up itself is Netty's asynchronous DNS resolver ({@code dns}), with its query timeout
 * and cache: a tenant's callback host whose name server answers slowly, or never, holds no thread,
 * least of all an event loop that every other tenant's callbacks share.
 *
 * <p>Hand-written because it is the hook itself: Netty resolves names through an {@link
 * AddressResolverGroup}, and the check has to sit inside it.
 */
final class GuardedResolverGroup extends AddressResolverGroup<InetSocketAddress> {

    private final AddressRules rules;
    private final AddressResolverGroup<InetSocketAddress> dns;

    /**
     * @param dns the asynchronous resolver the names are looked up with; closed with this group
     */
    GuardedResolverGroup(AddressRules rules, AddressResolverGroup<InetSocketAddress> dns) {
        this.rules = rules;
        this.dns = dns;
    }

    @Override
    protected AddressResolver<InetSocketAddress> newResolver(EventExecutor executor) {
        AddressResolver<InetSocketAddress> lookup = dns.getResolver(executor);
        return new AbstractAddressResolver<>(executor) {
            @Override
            protected boolean doIsResolved(InetSocketAddress address) {
                return !address.isUnresolved();
            }

            @Override
            protected void doResolve(InetSocketAddress unresolved, Promise<InetSocketAddress> promise) {
                lookup.resolveAll(unresolved).addListener((Future<List<InetSocketAddress>> found) -> {
                    try {
                        promise.trySuccess(allowed(unresolved, found).getFirst());
                    } catch (UnknownHostException e) {
                        promise.tryFailure(e);
                    }
                });
            }

            @Override
            protected void doResolveAll(InetSocketAddress unresolved, Promise<List<InetSocketAddress>> promise) {
                lookup.resolveAll(unresolved).addListener((Future<List<InetSocketAddress>> found) -> {
                    try {
                        promise.trySuccess(allowed(unresolved, found));
                    } catch (UnknownHostException e) {
                        promise.tryFailure(e);
                    }
                });
            }
        };
    }

    private List<InetSocketAddress> allowed(InetSocketAddress unresolved, Future<List<InetSocketAddress>> found)
            throws UnknownHostException {
        if (!found.isSuccess()) {
            UnknownHostException failed = new UnknownHostException("'" + unresolved.getHostString()
                    + "' could not be resolved: " + found.cause().getMessage());
            failed.initCause(found.cause());
            throw failed;
        }
        List<InetSocketAddress> addresses = found.getNow();
        if (addresses.isEmpty() || !addresses.stream().allMatch(a -> rules.allows(a.getAddress()))) {
            throw new AddressNotAllowed(unresolved.getHostString());
        }
        return addresses;
    }

    @Override
    public void close() {
        super.close();
        dns.close();
    }

    /** The name resolves to an address callbacks may not reach. */
    static final class AddressNotAllowed extends UnknownHostException {
        AddressNotAllowed(String host) {
            super("'" + host + "' resolves to an address callbacks may not reach");
        }
    }
}
