import { GraphQLError } from 'graphql';
import type { ErrorCode } from '../subgraphs/kit/errors';

/** A refusal raised in an Apollo plugin hook, with the HTTP status it is answered with. */
export function refusal(
  status: number,
  code: ErrorCode | 'GRAPHQL_VALIDATION_FAILED',
  message: string,
  reason?: string,
): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...(reason ? { reason } : {}), http: { status } } });
}
