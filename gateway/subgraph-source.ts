import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { signInternalToken } from '../subgraphs/kit/internal-token';
import type { SigningKey } from '../subgraphs/kit/keys';
import type { GatewayContext } from './context';

/**
 * Calls one subgraph with a short-lived token the gateway signs for it (audience = subgraph),
 * carrying the caller's principal, purpose and request id. No client header is forwarded.
 */
export class SignedSubgraphSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    url: string,
    private readonly subgraph: string,
    private readonly signingKey: () => SigningKey,
  ) {
    super({ url });
  }

  override async willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<void> {
    const principal = 'principal' in context ? context.principal : undefined;
    if (!principal || !request.http) return; // health checks carry no caller
    let token = context.internalTokens.get(this.subgraph);
    if (!token) {
      token = signInternalToken(this.signingKey(), principal, this.subgraph);
      context.internalTokens.set(this.subgraph, token);
    }
    request.http.headers.set('authorization', `Bearer ${await token}`);
    request.http.headers.set('x-request-id', principal.requestId);
  }
}
