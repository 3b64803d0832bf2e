import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { buildSchema } from 'graphql';
import type { GatewayContext } from '../../gateway/context';
import { EntityCache, fetchEntities } from '../../gateway/entity-fetch';
import { assertNoCacheHintsOnAudited } from '../../subgraphs/kit/audit';

/* The dense parts of gateway/entity-fetch.ts, without a stack: error paths, copies, what is kept. */

type Options = GraphQLDataSourceProcessOptions<GatewayContext>;
const QUERY = 'query($representations:[_Any!]!){_entities(representations:$representations){...on Unit{name}}}';
const unit = (code: string) => ({ __typename: 'Unit', code });
const options = (representations: unknown[]) =>
  ({ request: { query: QUERY, variables: { representations } }, context: {} }) as unknown as Options;

/** A subgraph stand-in: answers each representation with its name, recording what it was sent. */
function subgraph(opts: { cacheControl?: string; errorAt?: number; nullFor?: string } = {}) {
  const sent: unknown[][] = [];
  const send = async (o: Options) => {
    const reps = o.request.variables!.representations as { code: string }[];
    sent.push(reps);
    return {
      data: {
        _entities: reps.map((r, i) =>
          r.code === opts.nullFor ? null : { name: `unit ${r.code}`, ...(i === opts.errorAt ? { name: null } : {}) },
        ),
      },
      ...(opts.errorAt !== undefined
        ? { errors: [{ message: 'boom', path: ['_entities', opts.errorAt, 'name'] }, { message: 'general' }] }
        : {}),
      http: { headers: new Headers(opts.cacheControl ? { 'cache-control': opts.cacheControl } : {}) },
    } as Awaited<ReturnType<Parameters<typeof fetchEntities>[1]>>;
  };
  return { sent, send };
}

test('each distinct representation is sent once; every place gets its own copy', async () => {
  const s = subgraph();
  const res = await fetchEntities(
    options([unit('01'), unit('79'), unit('01'), unit('01')]),
    s.send,
    undefined,
    undefined,
  );
  expect(s.sent).toEqual([[unit('01'), unit('79')]]);
  const entities = (res.data as { _entities: { name: string }[] })._entities;
  expect(entities.map((e) => e.name)).toEqual(['unit 01', 'unit 79', 'unit 01', 'unit 01']);
  entities[0]!.name = 'changed'; // the gateway merges into these objects: none may be shared
  expect(entities[2]!.name).toBe('unit 01');
  expect(entities[3]).not.toBe(entities[2]);
});

test('an error about one representation is repeated, renumbered, at each of its places; others pass as they are', async () => {
  const s = subgraph({ errorAt: 0 });
  const res = await fetchEntities(options([unit('01'), unit('79'), unit('01')]), s.send, undefined, undefined);
  expect(res.errors).toEqual([
    { message: 'boom', path: ['_entities', 0, 'name'] },
    { message: 'boom', path: ['_entities', 2, 'name'] },
    { message: 'general' },
  ]);
});

test('keeps only what the subgraph marked cacheable, without errors, and not nulls; per scope', async () => {
  const cache = new EntityCache({ maxEntries: 100, maxAgeSeconds: 300 });
  const reps = [unit('01'), unit('79'), unit('48')];

  const uncacheable = subgraph({ cacheControl: 'no-store' });
  await fetchEntities(options(reps), uncacheable.send, 'organisations\ncaller-a', cache);
  expect(cache.size).toBe(0);
  const failed = subgraph({ cacheControl: 'max-age=300, public', errorAt: 1 });
  await fetchEntities(options(reps), failed.send, 'organisations\ncaller-a', cache);
  expect(cache.size).toBe(0);

  const ok = subgraph({ cacheControl: 'max-age=300, public', nullFor: '48' });
  await fetchEntities(options(reps), ok.send, 'organisations\ncaller-a', cache);
  expect(cache.size).toBe(2); // 01 and 79; the null for 48 is not kept

  const again = subgraph({ cacheControl: 'max-age=300, public' });
  const res = await fetchEntities(
    options([unit('79'), unit('48'), unit('01')]),
    again.send,
    'organisations\ncaller-a',
    cache,
  );
  expect(again.sent).toEqual([[unit('48')]]);
  expect((res.data as { _entities: { name: string }[] })._entities.map((e) => e.name)).toEqual([
    'unit 79',
    'unit 48',
    'unit 01',
  ]);
  // another caller's scope finds nothing
  const other = subgraph({ cacheControl: 'max-age=300, public' });
  await fetchEntities(options([unit('79')]), other.send, 'organisations\ncaller-b', cache);
  expect(other.sent).toEqual([[unit('79')]]);
  // nothing sent at all when everything is kept
  const none = subgraph();
  await fetchEntities(options([unit('01'), unit('79')]), none.send, 'organisations\ncaller-a', cache);
  expect(none.sent).toEqual([]);
});

test('entries end at the earlier of the subgraph max-age and the gateway cap', async () => {
  const cache = new EntityCache({ maxEntries: 100, maxAgeSeconds: 60 });
  cache.set('a', { x: 1 }, 300, 0);
  cache.set('b', { x: 2 }, 10, 0);
  expect(cache.get('a', 59_000)).toEqual({ x: 1 });
  // every hit is a fresh object: the gateway merges later fetches into what it gets
  const hit = cache.get('a', 1) as { x: number };
  hit.x = 99;
  expect(cache.get('a', 1)).toEqual({ x: 1 });
  expect(cache.get('b', 9_000)).toEqual({ x: 2 });
  expect(cache.get('b', 10_000)).toBeUndefined();
  expect(cache.get('a', 60_000)).toBeUndefined();
  const small = new EntityCache({ maxEntries: 2, maxAgeSeconds: 60 });
  small.set('a', 1, 60, 0);
  small.set('b', 2, 60, 0);
  small.get('a', 1); // a used last: b goes first
  small.set('c', 3, 60, 0);
  expect([small.get('a', 1), small.get('b', 1), small.get('c', 1)]).toEqual([1, undefined, 3]);
});

test('a subgraph cannot put a cache hint on an audited type or field', () => {
  const sdl = (hinted: string) => `
    directive @access(class: String!, scopes: [[String!]!] = []) repeatable on OBJECT | FIELD_DEFINITION
    directive @cacheControl(maxAge: Int) on OBJECT | FIELD_DEFINITION
    type Query { person: Person @access(class: "operational") unit: Unit @access(class: "operational") }
    type Person ${hinted === 'Person' ? '@cacheControl(maxAge: 60)' : ''} {
      name: String @access(class: "personal") ${hinted === 'Person.name' ? '@cacheControl(maxAge: 60)' : ''}
    }
    type Unit @cacheControl(maxAge: 60) { name: String @access(class: "operational") }
  `;
  const check = (hinted: string) => assertNoCacheHintsOnAudited(sdl(hinted), buildSchema(sdl(hinted)));
  expect(() => check('')).not.toThrow();
  expect(() => check('Person')).toThrow('Person has audited fields (name) and cannot carry @cacheControl');
  expect(() => check('Person.name')).toThrow('Person.name is audited and cannot carry @cacheControl');
});
