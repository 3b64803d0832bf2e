import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';

/**
 * The one registry of error codes shared by the gateway and every subgraph (DESIGN §7).
 * Codes listed in PUBLIC_CODES reach clients with their message; anything else is masked.
 */
export const ErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  RATE_LIMITED: 'RATE_LIMITED',
  /** A client bound to a trusted-document manifest sent an operation not in it (gateway). */
  OPERATION_NOT_IN_MANIFEST: 'OPERATION_NOT_IN_MANIFEST',
  /** A malformed HTTP request (body not JSON, …), answered before GraphQL runs. */
  BAD_REQUEST: 'BAD_REQUEST',
  /** A request body above the gateway's limit (413). */
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Codes produced by GraphQL/Apollo themselves for bad requests; their messages are safe. */
const REQUEST_CODES = [
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
] as const;

const PUBLIC_CODES = new Set<string>([
  ErrorCode.BAD_USER_INPUT,
  ErrorCode.UNAUTHENTICATED,
  ErrorCode.FORBIDDEN,
  ErrorCode.NOT_FOUND,
  ErrorCode.CONFLICT,
  ErrorCode.RATE_LIMITED,
  ErrorCode.OPERATION_NOT_IN_MANIFEST,
  ErrorCode.PAYLOAD_TOO_LARGE,
  ErrorCode.SERVICE_UNAVAILABLE,
  ...REQUEST_CODES,
]);

export function isPublicCode(code: unknown): code is string {
  return typeof code === 'string' && PUBLIC_CODES.has(code);
}

function appError(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extensions } });
}

/** Bad input: always names the field and the rule it broke. */
export function badInput(field: string, rule: string): GraphQLError {
  return appError(ErrorCode.BAD_USER_INPUT, `${field}: ${rule}`, { field });
}
export const unauthenticated = (message = 'A valid access token is required'): GraphQLError =>
  appError(ErrorCode.UNAUTHENTICATED, message);
export const forbidden = (message = 'Not authorised'): GraphQLError => appError(ErrorCode.FORBIDDEN, message);
export const notFound = (what: string): GraphQLError => appError(ErrorCode.NOT_FOUND, `${what} not found`);
export const conflict = (message: string, field?: string): GraphQLError =>
  appError(ErrorCode.CONFLICT, message, field ? { field } : {});
export const unavailable = (message = 'Service temporarily unavailable'): GraphQLError =>
  appError(ErrorCode.SERVICE_UNAVAILABLE, message);

export const INTERNAL_MESSAGE = 'Internal server error';

export interface ErrorLog {
  error(obj: object, msg: string): void;
}

/**
 * Builds Apollo Server's formatError: public codes keep their message (and the offending field and
 * the refusal's reason),
 * everything else becomes a generic message (the request id is added by `requestIdPlugin`); the detail
 * goes to the log only.
 * Stack traces, SQL, hostnames and URLs never leave the process.
 */
export function createErrorFormatter(log: ErrorLog) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = formatted.extensions?.code;
    if (isPublicCode(code)) {
      const field = formatted.extensions?.field;
      // A refusal may say why, e.g. PURPOSE_REQUIRED (kit/purpose.ts).
      const reason = formatted.extensions?.reason;
      return {
        message: formatted.message,
        ...(formatted.locations ? { locations: formatted.locations } : {}),
        ...(formatted.path ? { path: formatted.path } : {}),
        extensions: {
          code,
          ...(typeof field === 'string' ? { field } : {}),
          ...(typeof reason === 'string' ? { reason } : {}),
        },
      };
    }
    const original = unwrapResolverError(error);
    log.error({ err: original, path: formatted.path, code }, 'masked internal error');
    return {
      message: INTERNAL_MESSAGE,
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    };
  };
}

/** A JSON body for errors answered outside GraphQL execution (401 before Apollo runs, etc.). */
export function errorBody(code: ErrorCode, message: string, requestId?: string) {
  return { errors: [{ message, extensions: { code, ...(requestId ? { requestId } : {}) } }] };
}
