import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import {
  getNamedType,
  isAbstractType,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  isInterfaceType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';
import { apiSchemaOf } from '../../gateway/operation-check';
import { schemaFile } from '../../subgraphs/kit/paths';
import { DEV_SUBJECTS } from '../../subgraphs/organisations/seed';
import { startStack, type Stack } from '../stack';
import { seededRandom, type SeededRandom } from '../random';

/**
 * Fuzzing the gateway (issue 7): 5,000 seeded operations — valid ones built from the supergraph with
 * random arguments, and malformed ones — and not one 5xx, every answer a well-formed GraphQL
 * response, none carrying a stack trace, SQL, a hostname, an IP address or a subgraph URL.
 */
const TOTAL = 5_000;
const CONCURRENCY = 8;
const SEED = 20_260_701;

let stack: Stack;
let tokens: string[];
beforeAll(async () => {
  stack = await startStack({
    principalCacheMs: 600_000,
    gatewayPolicy: {
      // smaller than the default cost limit: the fuzz explores shapes, not large pages (and stays fast)
      limits: { maxCost: 1_000 },
      rateLimit: { enabled: true, principalPoints: 1_000_000, clientPoints: 1_000_000, windowSeconds: 60 },
    },
  });
  tokens = await Promise.all(DEV_SUBJECTS.map((s) => stack.token(s)));
});
afterAll(async () => {
  await stack.stop();
});

// Random text never holds a dot next to digits (IP-like) or SQL keywords, so an echo of the input in
// a validation message cannot be mistaken for a leak.
const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _-/#@ắđôưỹ中😀\'"\\\n\t{}[]()$!:';
const text = (r: SeededRandom, max = 40) => Array.from({ length: r.int(max) }, () => r.pick([...ALPHABET])).join('');

const SCALARS: Record<string, (r: SeededRandom) => string> = {
  Int: (r) => String(r.pick([0, 1, -1, 5, 50, 200, 201, 2_147_483_647, -2_147_483_648, r.int(1000)])),
  Float: (r) => r.pick(['0', '1.5', '-3e5', '36.6', '1e308', String(r.int(100))]),
  Boolean: (r) => r.pick(['true', 'false']),
  ID: (r) => JSON.stringify(r.pick(['79', '01', 'de300000-0000-4000-8300-000000000002', 'MOH-DIT', text(r, 12), ''])),
  String: (r) => JSON.stringify(text(r)),
  Date: (r) => JSON.stringify(r.pick(['2025-07-01', '2026-02-30', 'yesterday', '1900-01-01', text(r, 10)])),
  DateTime: (r) => JSON.stringify(r.pick(['2025-07-01T08:00:00+07:00', '2025-13-01T00:00:00Z', text(r, 10)])),
  JSONObject: (r) => r.pick(['{}', '{ a: 1 }', `{ k: ${JSON.stringify(text(r, 8))} }`]),
};

function literal(r: SeededRandom, type: GraphQLInputType, depth: number): string {
  if (isNonNullType(type)) return literal(r, type.ofType, depth);
  if (isListType(type)) {
    return `[${Array.from({ length: depth > 3 ? 0 : r.int(3) }, () => literal(r, type.ofType, depth + 1)).join(', ')}]`;
  }
  if (isEnumType(type)) return r.pick(type.getValues()).name;
  if (isInputObjectType(type)) {
    const fields = Object.values(type.getFields()).filter((f) => isNonNullType(f.type) || (depth < 3 && r.chance(0.4)));
    return `{ ${fields.map((f) => `${f.name}: ${literal(r, f.type, depth + 1)}`).join(', ')} }`;
  }
  return (SCALARS[type.name] ?? SCALARS.String!)(r);
}

function args(r: SeededRandom, defs: readonly GraphQLArgument[]): string {
  const chosen = defs.filter((a) => isNonNullType(a.type) || r.chance(0.3));
  return chosen.length ? `(${chosen.map((a) => `${a.name}: ${literal(r, a.type, 0)}`).join(', ')})` : '';
}

function selection(r: SeededRandom, schema: GraphQLSchema, type: GraphQLNamedType, depth: number): string {
  if (isAbstractType(type)) {
    const possible = schema.getPossibleTypes(type);
    const concrete = r.pick(possible);
    return `{ __typename ... on ${concrete.name} ${selection(r, schema, concrete, depth)} }`;
  }
  if (!isObjectType(type) && !isInterfaceType(type)) return '';
  const fields = Object.values(type.getFields()) as GraphQLField<unknown, unknown>[];
  const picked = new Set(Array.from({ length: 1 + r.int(3) }, () => r.pick(fields)));
  const parts = [...picked].map((f) => {
    const named = getNamedType(f.type);
    if (isLeafType(named)) return `${f.name}${args(r, f.args)}`;
    if (depth >= 4) return null;
    return `${f.name}${args(r, f.args)} ${selection(r, schema, named, depth + 1)}`;
  });
  const kept = parts.filter((p): p is string => p !== null);
  return `{ ${kept.length ? kept.join(' ') : '__typename'} }`;
}

function validOperation(r: SeededRandom, schema: GraphQLSchema): string {
  const root = r.chance(0.85) ? schema.getQueryType()! : (schema.getMutationType() ?? schema.getQueryType()!);
  const field = r.pick(Object.values(root.getFields()));
  const named = getNamedType(field.type);
  const sel = isLeafType(named) ? '' : selection(r, schema, named, 1);
  const keyword = root === schema.getMutationType() ? 'mutation' : 'query';
  return `${keyword} Fuzz { ${field.name}${args(r, field.args)} ${sel} }`;
}

function malformed(r: SeededRandom): unknown {
  const nest = (n: number) => `${'parent { '.repeat(n)}code${' }'.repeat(n)}`;
  switch (r.int(12)) {
    case 0:
      return { query: text(r, 200) };
    case 1:
      return { query: `{ administrativeUnit(code: "79") { ${nest(10 + r.int(300))} } }` };
    case 2:
      return { query: `{ administrativeUnit(code: ${JSON.stringify('x'.repeat(20_000 + r.int(80_000)))}) { code } }` };
    case 3:
      return { query: `{ administrativeUnits(first: ${'9'.repeat(20 + r.int(400))}) { edges { cursor } } }` };
    case 4:
      return { query: `{ administrativeUnits(first: ${JSON.stringify(text(r, 8))}) { edges { cursor } } }` };
    case 5:
      return r.pick([[], null, 42, 'query', { query: 7 }, { query: '{ __typename }', variables: 'x' }, {}]);
    case 6:
      return `{"query": ${JSON.stringify(text(r, 30))}`; // truncated JSON
    case 7:
      return { query: `{ ${'__typename '.repeat(6_000 + r.int(4_000))} }` };
    case 8:
      return {
        query: `{ ${Array.from({ length: 40 + r.int(200) }, (_, i) => `a${i}: __typename @include(if: true)`).join(' ')} }`,
      };
    case 9:
      return { query: 'query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }' };
    case 10:
      return {
        query: 'query($n: Int!) { administrativeUnits(first: $n) { edges { cursor } } }',
        variables: { n: r.pick(['ten', 1e10, -5, 2.5, null, [1], { a: 1 }, 'x'.repeat(10_000)]) },
      };
    default:
      return { query: '{ __typename }', operationName: text(r, 20), extensions: { persistedQuery: text(r, 5) } };
  }
}

const LEAKS: { label: string; pattern: RegExp }[] = [
  { label: 'stack trace', pattern: /\bat [\w.<>]+ \(|\.(ts|js):\d+:\d+|node_modules/ },
  {
    label: 'SQL',
    pattern:
      /\b(SELECT|INSERT INTO|UPDATE|DELETE FROM)\b[\s\S]*\b(FROM|WHERE|VALUES|SET)\b|relation "|syntax error at or near/i,
  },
  { label: 'IP address', pattern: /\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b|::1\b/ },
  {
    label: 'hostname',
    pattern: new RegExp(`\\blocalhost\\b|${hostname().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'i'),
  },
  { label: 'URL', pattern: /https?:\/\// },
];

interface Finding {
  i: number;
  problem: string;
  request: string;
  response: string;
}

test(`${TOTAL} generated operations: no 5xx, well-formed answers, nothing leaked`, async () => {
  const schema = apiSchemaOf(readFileSync(schemaFile('supergraph.graphql'), 'utf8'));
  const r = seededRandom(SEED);
  const requests = Array.from({ length: TOTAL }, (_, i) => {
    const body = i % 2 === 0 ? { query: validOperation(r, schema) } : malformed(r);
    return {
      body: typeof body === 'string' ? body : JSON.stringify(body),
      token: r.pick(tokens),
      purpose: r.chance(0.5) ? 'fuzz test' : undefined,
    };
  });

  const findings: Finding[] = [];
  const statuses = new Map<number, number>();
  let next = 0;
  const worker = async () => {
    while (next < requests.length) {
      const i = next++;
      const req = requests[i]!;
      const res = await fetch(stack.gatewayUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${req.token}`,
          ...(req.purpose ? { 'x-purpose': req.purpose } : {}),
        },
        body: req.body,
      });
      const raw = await res.text();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      const report = (problem: string) =>
        findings.push({ i, problem, request: req.body.slice(0, 300), response: raw.slice(0, 500) });
      if (res.status >= 500) report(`HTTP ${res.status}`);
      type Body = { data?: unknown; errors?: { message?: unknown }[] } | null;
      let body: Body = null;
      try {
        body = JSON.parse(raw) as Body;
      } catch {
        report('not JSON');
      }
      if (body) {
        const errorsOk =
          body.errors === undefined ||
          (Array.isArray(body.errors) &&
            body.errors.length > 0 &&
            body.errors.every((e) => typeof e.message === 'string'));
        const hasData = body.data !== undefined && (body.data === null || typeof body.data === 'object');
        if (typeof body !== 'object' || !errorsOk || (!hasData && !body.errors)) report('not a GraphQL response');
        if (raw.includes('INTERNAL_SERVER_ERROR')) report('internal error');
      }
      for (const { label, pattern } of LEAKS) if (pattern.test(raw)) report(`leaks ${label}`);
      for (const url of Object.values(stack.subgraphUrls)) if (raw.includes(url)) report('leaks a subgraph URL');
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));

  expect(findings.slice(0, 10)).toEqual([]);
  expect([...statuses.values()].reduce((a, b) => a + b, 0)).toBe(TOTAL);
  // the valid half reaches execution: some answers carry data
  expect(statuses.get(200) ?? 0).toBeGreaterThan(TOTAL / 10);
}, 120_000);
