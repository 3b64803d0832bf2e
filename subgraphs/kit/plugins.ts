import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { isPublicCode } from './errors';

export interface HasRequestId extends BaseContext {
  requestId: string;
}

/** Adds the request id to every error of a response, so a caller can quote it to support. */
export function requestIdPlugin<C extends HasRequestId>(): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue }) {
          if (response.body.kind !== 'single') return;
          const errors = response.body.singleResult.errors;
          if (!errors) return;
          response.body.singleResult.errors = errors.map((e) => ({
            ...e,
            extensions: { ...e.extensions, requestId: contextValue.requestId },
          }));
        },
      };
    },
  };
}

export interface HasLog extends HasRequestId {
  log: { info(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

/**
 * One structured line per operation: name, duration and error codes. Never variables or results
 * (they may hold identity numbers, phones or health answers).
 */
export function requestLogPlugin<C extends HasLog>(): ApolloServerPlugin<C> {
  return {
    async requestDidStart({ contextValue }) {
      const started = process.hrtime.bigint();
      return {
        // the detail of each error that will be masked, under the request's id (the formatter has none)
        async didEncounterErrors({ errors, operationName }) {
          for (const e of errors) {
            if (isPublicCode(e.extensions?.code)) continue;
            contextValue.log.error(
              { err: unwrapResolverError(e), path: e.path, operationName: operationName ?? null },
              'internal error',
            );
          }
        },
        async willSendResponse({ response, operationName }) {
          const errors = response.body.kind === 'single' ? (response.body.singleResult.errors ?? []) : [];
          contextValue.log.info(
            {
              operationName: operationName ?? null,
              durationMs: Number((process.hrtime.bigint() - started) / 1000n) / 1000,
              errorCodes: errors.map((e) => e.extensions?.code ?? 'UNKNOWN'),
            },
            'operation completed',
          );
        },
      };
    },
  };
}
