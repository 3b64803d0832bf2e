import type { ApolloServerPlugin } from '@apollo/server';
import type { Principal } from '../../subgraphs/kit/principal';
import { ErrorCode } from '../../subgraphs/kit/errors';
import { Role } from '../../subgraphs/kit/roles';
import type { GatewayContext } from '../context';
import { refusal } from '../errors';
import { isStaff } from '../staff';
import type { TrustedDocuments } from './manifests';

/** The manifest of a consumer_app service account whose token names no registered client. */
export const CONSUMER_APP_CLIENT = 'consumer-app';

/**
 * The manifest a caller is bound to, or null when it may run ad-hoc operations. Staff are never
 * bound. Anyone else is bound to the manifest its token's `client_id` names, if that client is
 * registered; failing that, a `consumer_app` principal is bound to the `consumer-app` manifest.
 */
export function boundClient(
  trusted: TrustedDocuments,
  principal: Pick<Principal, 'kind' | 'roles'>,
  clientId: string | null,
): string | null {
  if (isStaff(principal)) return null;
  if (clientId && trusted.hasClient(clientId)) return clientId;
  if (principal.roles.includes(Role.CONSUMER_APP)) return CONSUMER_APP_CLIENT;
  return null;
}

/**
 * Apollo's persisted-query cache, read from the manifests: a request carrying only
 * `extensions.persistedQuery.sha256Hash` runs the registered document; an unknown hash is
 * PERSISTED_QUERY_NOT_FOUND. Nothing is ever stored (`set` is a no-op), so clients cannot fill the
 * gateway's memory with documents of their own.
 */
export class ManifestDocumentCache {
  constructor(private readonly trusted: TrustedDocuments) {}
  async get(key: string): Promise<string | undefined> {
    return this.trusted.body(key.slice(key.lastIndexOf(':') + 1)); // Apollo prefixes keys with `apq:`
  }
  async set(): Promise<void> {}
  async delete(): Promise<boolean> {
    return false;
  }
}

/**
 * With `enforce`, a caller bound to a manifest may run only that manifest's operations: by hash
 * (persisted-query extension) or as a full document whose SHA-256 is listed. Others: 403
 * OPERATION_NOT_IN_MANIFEST, before planning or any subgraph call.
 */
export function trustedDocumentsPlugin(
  trusted: TrustedDocuments,
  enforce: boolean,
): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ contextValue, queryHash }) {
          if (!enforce) return;
          const client = boundClient(trusted, contextValue.principal, contextValue.clientId ?? null);
          if (client && !trusted.allows(client, queryHash)) {
            throw refusal(
              403,
              ErrorCode.OPERATION_NOT_IN_MANIFEST,
              `Client ${client} may run only the operations registered in schema/operations/${client}.json; this document is not one of them`,
            );
          }
        },
      };
    },
  };
}
