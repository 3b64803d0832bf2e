import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { createErrorFormatter, ErrorCode, isPublicCode, type ErrorLog } from '../subgraphs/kit/errors';

interface DownstreamResponse {
  status?: number;
  body?: { errors?: { message?: unknown; extensions?: { code?: unknown } }[] };
}

/**
 * The kit's formatter, plus two kinds of client mistakes it would otherwise mask as internal errors:
 * - a subgraph's 4xx answer (e.g. a Date literal the subgraph cannot parse): Apollo Gateway turns it
 *   into "400: Bad Request"; the subgraph's own first error — already passed through the subgraph's
 *   formatter, and only when its code is public — is what the caller gets (never the URL or body);
 * - Apollo's own 4xx request errors that carry no code (an unsupported persisted-query version, a
 *   hash that does not match the document): BAD_REQUEST with Apollo's message.
 */
export function createGatewayErrorFormatter(log: ErrorLog) {
  const base = createErrorFormatter(log);
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    if (original instanceof GraphQLError) {
      const downstream = original.extensions?.response as DownstreamResponse | undefined;
      const status = downstream?.status ?? 0;
      const first = downstream?.body?.errors?.[0];
      if (status >= 400 && status < 500 && typeof first?.message === 'string' && isPublicCode(first.extensions?.code)) {
        return base({ ...formatted, message: first.message, extensions: { code: first.extensions.code } }, error);
      }
      const httpStatus = (original.extensions?.http as { status?: number } | undefined)?.status ?? 0;
      if (formatted.extensions?.code === ErrorCode.INTERNAL_SERVER_ERROR && httpStatus >= 400 && httpStatus < 500) {
        return base({ ...formatted, extensions: { code: ErrorCode.BAD_REQUEST } }, error);
      }
    }
    return base(formatted, error);
  };
}
