package io.flowgate.dispatcher.delivery;

import io.flowgate.webhooks.AddressRules;
import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.InetNameResolver;
import io.netty.resolver.InetSocketAddressResolver;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Promise;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Name resolution for callbacks that refuses names resolving to an address the {@link AddressRules}
 * do not allow (loopback, private, link-local, metadata...). The connection is then made to exactly
 * the address checked here, so a name cannot resolve to a public address for the check and a private
 * one for the connection (DNS rebinding). A name with any refused address is refused as a whole.
 *
 * <p>Hand-written because it is the hook itself: Netty resolves names through an {@link
 * AddressResolverGroup}, and the check has to sit inside it.
 */
final class GuardedResolverGroup extends AddressResolverGroup<InetSocketAddress> {

    private final AddressRules rules;

    GuardedResolverGroup(AddressRules rules) {
        this.rules = rules;
    }

    @Override
    protected AddressResolver<InetSocketAddress> newResolver(EventExecutor executor) {
        return new InetSocketAddressResolver(executor, new InetNameResolver(executor) {
            @Override
            protected void doResolve(String host, Promise<InetAddress> promise) {
                try {
                    promise.setSuccess(allowed(host).getFirst());
                } catch (UnknownHostException e) {
                    promise.setFailure(e);
                }
            }

            @Override
            protected void doResolveAll(String host, Promise<List<InetAddress>> promise) {
                try {
                    promise.setSuccess(allowed(host));
                } catch (UnknownHostException e) {
                    promise.setFailure(e);
                }
            }
        });
    }

    private List<InetAddress> allowed(String host) throws UnknownHostException {
        List<InetAddress> addresses = List.of(InetAddress.getAllByName(host));
        if (addresses.isEmpty() || !addresses.stream().allMatch(rules::allows)) {
            throw new AddressNotAllowed(host);
        }
        return addresses;
    }

    /** The name resolves to an address callbacks may not reach. */
    static final class AddressNotAllowed extends UnknownHostException {
        AddressNotAllowed(String host) {
            super("'" + host + "' resolves to an address callbacks may not reach");
        }
    }
}
