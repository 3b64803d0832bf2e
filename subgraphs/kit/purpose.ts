import { GraphQLError } from 'graphql';
import { ErrorCode } from './errors';
import type { Principal } from './principal';

/**
 * Person-centric and bulk reads need a declared purpose (the caller's `x-purpose` header, carried
 * in the gateway's token) and are refused without one; the purpose is recorded in the audit.
 */
export function requirePurpose(principal: Pick<Principal, 'purpose'>, what: string): string {
  if (!principal.purpose) {
    throw new GraphQLError(`${what} needs a declared purpose: send the x-purpose header`, {
      extensions: { code: ErrorCode.FORBIDDEN, reason: 'PURPOSE_REQUIRED' },
    });
  }
  return principal.purpose;
}
