import { startStack, type GraphQLResponse, type Stack } from '../stack';
import {
  loadFixtures,
  ROWS,
  SUBJECTS,
  type Cell,
  type Fixtures,
  type Outcome,
  type Row,
  type Subject,
} from './matrix-cases';

/*
 * The authorisation matrix through the gateway, on the demo data set: every row of
 * `matrix-cases.ts` (an operation of one subgraph: direct, nested, entity join, write, statistics)
 * for every seeded subject, one test per cell, each asserting exactly what the subject gets:
 * data, null + FORBIDDEN at the named paths, masked values, a purpose refusal, or — outside the
 * jurisdiction — the same answer as for a missing id. Forbidden and refused writes write nothing.
 */

let stack: Stack;
let fx: Fixtures;
let cellNumber = 0;
const PURPOSE = { purpose: 'authorisation matrix test' };

beforeAll(async () => {
  stack = await startStack({ demo: true });
  fx = await loadFixtures(stack);
});
afterAll(async () => {
  await stack?.stop();
});

type Body = GraphQLResponse['body'];
type GraphQLErrorBody = NonNullable<Body['errors']>[number];

const describeOutcome = (o: Outcome): string => {
  switch (o.kind) {
    case 'forbidden':
      return `FORBIDDEN at ${o.paths.map((p) => p.join('.')).join(', ')}`;
    case 'refused':
      return `FORBIDDEN naming ${o.field}`;
    case 'purposeRequired':
      return 'FORBIDDEN (PURPOSE_REQUIRED)';
    case 'notFound':
      return 'not found (as a missing id)';
    default:
      return o.kind;
  }
};

/** Whether the response holds null at `path` or above it (a refused non-null field bubbles up). */
function nullAt(value: unknown, path: readonly string[]): boolean {
  if (value === null || value === undefined) return true;
  if (Array.isArray(value)) return value.every((item) => nullAt(item, path));
  if (!path.length) return false;
  return nullAt((value as Record<string, unknown>)[path[0]!], path.slice(1));
}

const rootOf = (body: Body, row: Row): unknown => (body.data as Record<string, unknown> | null | undefined)?.[row.root];

const summary = (errors: readonly GraphQLErrorBody[]) =>
  errors.map((e) => ({ code: e.extensions?.code, path: e.path, reason: e.extensions?.reason, message: e.message }));

/** The response without the per-request ids errors carry (two requests never share one). */
const withoutRequestIds = (body: Body): Body => ({
  ...body,
  ...(body.errors && {
    errors: body.errors.map(({ extensions, ...e }) => {
      const { requestId: _requestId, ...rest } = extensions ?? {};
      return { ...e, extensions: rest };
    }),
  }),
});

async function runCell(row: Row, subject: Subject): Promise<void> {
  const cell: Cell = { stack, fx, subject, n: ++cellNumber };
  const outcome = row.expect[subject];
  const client = stack.as(subject, row.purpose ? PURPOSE : {});
  const vars = await row.vars(cell);
  const res = await client.query(row.query, vars);
  const { body } = res;
  const errors = body.errors ?? [];

  switch (outcome.kind) {
    case 'data':
      expect(summary(errors)).toEqual([]);
      expect(res.status).toBe(200);
      outcome.check(body.data, cell);
      break;

    case 'masked': {
      expect(summary(errors)).toEqual([]);
      outcome.check(body.data);
      const text = JSON.stringify(body);
      for (const clear of outcome.clear) expect(text).not.toContain(clear);
      break;
    }

    case 'forbidden': {
      const got = errors.map((e) => ({ code: e.extensions?.code, path: e.path, reason: e.extensions?.reason }));
      const want = outcome.paths.map((path) => ({ code: 'FORBIDDEN', path, reason: undefined }));
      const order = (a: { path?: unknown }, b: { path?: unknown }) =>
        JSON.stringify(a.path).localeCompare(JSON.stringify(b.path));
      expect(got.sort(order)).toEqual(want.sort(order));
      for (const path of outcome.paths) expect(nullAt(body.data, path)).toBe(true);
      outcome.check?.(body.data, cell);
      break;
    }

    case 'refused':
      expect(errors.map((e) => ({ code: e.extensions?.code, field: e.extensions?.field }))).toEqual([
        { code: 'FORBIDDEN', field: outcome.field },
      ]);
      expect(rootOf(body, row) ?? null).toBeNull();
      break;

    case 'purposeRequired':
      expect(errors.map((e) => ({ code: e.extensions?.code, reason: e.extensions?.reason }))).toEqual([
        { code: 'FORBIDDEN', reason: 'PURPOSE_REQUIRED' },
      ]);
      expect(rootOf(body, row) ?? null).toBeNull();
      break;

    case 'notFound': {
      if (!row.missing) throw new Error(`row "${row.name}" has a notFound cell but no missing() variables`);
      const missing = await client.query(row.query, row.missing(vars));
      if (row.effect) {
        // A write: the error for a missing id, word for word.
        expect(errors.map((e) => e.extensions?.code)).toEqual(['NOT_FOUND']);
        expect(summary(errors)).toEqual(summary(missing.body.errors ?? []));
        expect(rootOf(body, row) ?? null).toBeNull();
      } else {
        // A read: exactly the response for a missing id. Its only errors, if any, are the FORBIDDEN
        // ones of nested fields the caller's scopes refuse for any record, never at the root.
        expect(withoutRequestIds(body)).toEqual(withoutRequestIds(missing.body));
        for (const e of errors) {
          expect(e.extensions?.code).toBe('FORBIDDEN');
          expect(e.path?.length ?? 0).toBeGreaterThan(1);
        }
        expect(body.data).not.toBeNull();
      }
      break;
    }
  }

  if (row.effect) expect(await row.effect(cell, vars)).toBe(outcome.kind === 'data' ? 1 : 0);
}

test('the matrix covers every seeded subject and at least one read, nested read and write per subgraph', () => {
  expect(SUBJECTS).toHaveLength(8);
  for (const row of ROWS) expect(Object.keys(row.expect).sort()).toEqual([...SUBJECTS].sort());
  for (const subgraph of ['organisations', 'declarations', 'movement', 'checkpoints', 'feedback']) {
    const rows = ROWS.filter((r) => r.name.startsWith(`${subgraph} ·`));
    expect(rows.some((r) => r.effect)).toBe(true);
    expect(rows.filter((r) => !r.effect).length).toBeGreaterThanOrEqual(2);
  }
});

describe.each(ROWS.map((row) => [row.name, row] as const))('%s', (_name, row) => {
  test.each(SUBJECTS.map((subject) => [subject, describeOutcome(row.expect[subject])] as const))(
    '%s → %s',
    async (subject) => {
      await runCell(row, subject);
    },
  );
});
