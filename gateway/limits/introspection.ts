import { BREAK, visit, type DocumentNode } from 'graphql';
import type { ApolloServerPlugin } from '@apollo/server';
import { ErrorCode } from '../../subgraphs/kit/errors';
import type { GatewayContext } from '../context';
import { refusal } from '../errors';
import { perDocument } from '../per-document';
import { isStaff } from '../staff';

/** Who may introspect: everyone (development), staff principals only (production), or nobody. */
export type IntrospectionPolicy = boolean | 'staff';

/** Whether the document asks for `__schema` or `__type` (once per parsed document). */
const introspects = perDocument((document: DocumentNode): boolean => {
  let found = false;
  visit(document, {
    Field(node) {
      if (node.name.value === '__schema' || node.name.value === '__type') {
        found = true;
        return BREAK;
      }
      return undefined;
    },
  });
  return found;
});

/** With the `staff` policy: `__schema` and `__type` are refused (403) to anyone but staff. */
export function staffIntrospectionPlugin(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ contextValue, document }) {
          if (!isStaff(contextValue.principal) && introspects(document)) {
            throw refusal(
              403,
              ErrorCode.FORBIDDEN,
              'Introspection is allowed for staff only',
              'INTROSPECTION_NOT_ALLOWED',
            );
          }
        },
      };
    },
  };
}
