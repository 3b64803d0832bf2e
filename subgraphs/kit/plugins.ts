import type { ApolloServerPlugin, BaseContext } from '@apollo/server';

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
