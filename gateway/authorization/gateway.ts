import { createHash } from 'node:crypto';
import { GraphQLError, print, visit, type DocumentNode, type OperationDefinitionNode } from 'graphql';
import { LRUCache } from 'lru-cache';
import type {
  GatewayExecutor,
  GatewayInterface,
  GatewayLoadResult,
  GatewaySchemaLoadOrUpdateCallback,
  GatewayUnsubscriber,
} from '@apollo/server-gateway-interface';
import type { Principal } from '../../subgraphs/kit/principal';
import { accessRulesOf, rulesForField, satisfies, type AccessRules } from '../../subgraphs/kit/access';
import { trimOperation, type Trimmed } from './trim';
import { completeResult } from './complete';
import { perDocument } from '../per-document';

interface Inner {
  onSchemaLoadOrUpdate(cb: GatewaySchemaLoadOrUpdateCallback): GatewayUnsubscriber;
  load(options: Parameters<GatewayInterface['load']>[0]): Promise<GatewayLoadResult>;
  stop(): Promise<void>;
}

const EMPTY_RULES: AccessRules = { fields: new Map(), types: new Map() };

/** Whether the document uses `@skip` or `@include` (once per parsed document). */
const hasConditionalDirectives = perDocument((doc: DocumentNode): boolean => {
  let found = false;
  visit(doc, {
    Directive(node) {
      if (node.name.value === 'skip' || node.name.value === 'include') found = true;
    },
  });
  return found;
});

/**
 * Field-level authorisation before planning (DESIGN §5.4). Wraps the Apollo gateway: for each
 * operation it removes the fields the caller may not read, runs the rest under the trimmed
 * document's own query hash (the plan cache is keyed on it, so one caller's trimmed plan is never
 * served to another), then answers null at each removed path with one FORBIDDEN error per field.
 */
export class AuthorizingGateway implements GatewayInterface {
  private rules: AccessRules = EMPTY_RULES;
  private rulesVersion = 0;
  private readonly trims = new LRUCache<string, Trimmed>({ max: 5_000 });

  constructor(private readonly inner: Inner) {
    inner.onSchemaLoadOrUpdate(({ coreSupergraphSdl }) => {
      this.rules = accessRulesOf(coreSupergraphSdl);
      this.rulesVersion += 1;
      this.trims.clear();
    });
  }

  onSchemaLoadOrUpdate(cb: GatewaySchemaLoadOrUpdateCallback): GatewayUnsubscriber {
    return this.inner.onSchemaLoadOrUpdate(cb);
  }

  async load(options: Parameters<GatewayInterface['load']>[0]): Promise<GatewayLoadResult> {
    const { executor } = await this.inner.load(options);
    return { executor: executor ? this.authorising(executor) : null };
  }

  stop(): Promise<void> {
    return this.inner.stop();
  }

  /** Whether a principal with `scopes` may read `parent.field` returning `returnType`. */
  allowed(scopes: ReadonlySet<string>, parent: string, field: string, returnType: string): boolean {
    return satisfies(rulesForField(this.rules, parent, field, returnType), scopes);
  }

  private authorising(executor: GatewayExecutor): GatewayExecutor {
    return async (requestContext) => {
      const principal = (requestContext.context as { principal?: Principal }).principal;
      const scopes = new Set(principal?.scopes ?? []);
      const variables = requestContext.request.variables ?? {};
      const trimmed = this.trim(requestContext, variables, scopes);
      if (!trimmed.removals.length) return executor(requestContext);

      let result: Awaited<ReturnType<GatewayExecutor>> = { data: {} };
      if (trimmed.document) {
        const source = print(trimmed.document);
        const operation = trimmed.document.definitions[0] as OperationDefinitionNode;
        result = await executor({
          ...requestContext,
          document: trimmed.document,
          operation,
          source,
          queryHash: createHash('sha256').update(source).digest('hex'),
        });
      }
      const root = requestContext.schema.getRootType(trimmed.original.operation)!;
      const forbidden = trimmed.removals.map(
        (r) =>
          new GraphQLError(`Not authorised to read ${r.coordinate}`, {
            path: r.path,
            extensions: { code: 'FORBIDDEN' },
          }),
      );
      return {
        ...result,
        data: completeResult(
          requestContext.schema,
          trimmed.original.selectionSet,
          root,
          result.data,
          trimmed.removedNodes,
          variables,
        ),
        errors: [...forbidden, ...(result.errors ?? [])],
      };
    };
  }

  private trim(
    rc: Parameters<GatewayExecutor>[0],
    variables: Readonly<Record<string, unknown>>,
    scopes: ReadonlySet<string>,
  ): Trimmed {
    // the operation the client named (rc.operationName is null when that name matches none)
    const name = rc.request.operationName ?? rc.operationName ?? null;
    const compute = () =>
      trimOperation(rc.schema, rc.document, name, variables, (parent, field, ret) =>
        this.allowed(scopes, parent, field, ret),
      );
    // @skip/@include make the result depend on variables: not cached
    if (hasConditionalDirectives(rc.document)) return compute();
    const key = `${this.rulesVersion}|${rc.queryHash}|${name ?? ''}|${[...scopes].sort().join(' ')}`;
    let hit = this.trims.get(key);
    if (!hit) {
      hit = compute();
      this.trims.set(key, hit);
    }
    return hit;
  }
}
