import { GraphQLError, type ValidationContext, type ValidationRule } from 'graphql';
import type { ApolloServerPlugin } from '@apollo/server';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../../subgraphs/kit/pagination';
import type { GatewayContext } from '../context';
import { ErrorCode } from '../../subgraphs/kit/errors';
import { refusal } from '../errors';
import { cachedOperationCost } from './cost';

/** Per-operation limits (README, "Operation limits"); each is a gateway setting. */
export interface OperationLimits {
  /** Deepest field nesting (introspection fields not counted). */
  maxDepth: number;
  /** Aliased fields per operation. */
  maxAliases: number;
  /** Directives per operation. */
  maxDirectives: number;
  /** Lexical tokens per document: parsing stops there, before any work on a huge document. */
  maxTokens: number;
  /** Operation cost (gateway/limits/cost.ts). */
  maxCost: number;
  /** Assumed size of a list field without a `first` argument, for the cost. */
  defaultListSize: number;
  /** Largest request body, in bytes (413 above it). */
  maxBodyBytes: number;
}

export const DEFAULT_LIMITS: OperationLimits = {
  maxDepth: 12,
  maxAliases: 30,
  maxDirectives: 30,
  maxTokens: 5_000,
  maxCost: 20_000,
  defaultListSize: 10,
  maxBodyBytes: 1_048_576,
};

/** GraphQL Armor throws by default (a 500 in Apollo); report as a validation error instead. */
const report = {
  propagateOnRejection: false,
  onReject: [
    (ctx: ValidationContext | null, err: GraphQLError) =>
      ctx?.reportError(new GraphQLError(err.message.replace(/^Syntax Error: /, ''))),
  ],
  exposeLimits: true,
};

/** Depth, alias and directive limits as validation rules: a violation is a 400 before planning. */
export function limitValidationRules(limits: OperationLimits): ValidationRule[] {
  return [
    maxDepthRule({ n: limits.maxDepth, ignoreIntrospection: true, ...report }),
    maxAliasesRule({ n: limits.maxAliases, ...report }),
    maxDirectivesRule({ n: limits.maxDirectives, ...report }),
  ];
}

/**
 * Refuses an operation whose cost is above the limit (400, before planning). Runs per request,
 * not as a cached validation rule, because `first` often comes from a variable (the cost is
 * remembered per operation and values of the variables it reads: `cachedOperationCost`).
 */
export function costLimitPlugin(limits: OperationLimits): ApolloServerPlugin<GatewayContext> {
  const opts = {
    defaultPageSize: DEFAULT_PAGE_SIZE,
    maxPageSize: MAX_PAGE_SIZE,
    defaultListSize: limits.defaultListSize,
  };
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request }) {
          // Apollo leaves this to execution, where the gateway does not report it (a 500): answer 400 here
          if (!operation) {
            throw refusal(
              400,
              ErrorCode.BAD_REQUEST,
              request.operationName !== undefined && request.operationName !== null
                ? `Unknown operation named "${request.operationName}".`
                : 'Must provide operation name if query contains multiple operations.',
            );
          }
          const cost = cachedOperationCost(schema, document, operation, request.variables ?? {}, opts);
          if (cost > limits.maxCost) {
            throw refusal(
              400,
              'GRAPHQL_VALIDATION_FAILED',
              `Operation cost ${cost} exceeds the limit of ${limits.maxCost}: ask for smaller pages (first) or fewer nested lists`,
              'COST_LIMIT',
            );
          }
        },
      };
    },
  };
}
