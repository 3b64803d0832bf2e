import { importUnitList } from '../subgraphs/kit/admin-units';
import { insertCheckpoint } from './factories/checkpoints';
import { insertDeclaration } from './factories/declarations';
import { insertMovement } from './factories/movement';
import { testCitizenRef } from './factories/citizens';
import { UNITS } from './factories/sequence';
import { startStack, type Stack } from './stack';
import { GSO_2025_03_01 } from './unit-lists';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
  // The full statistics-office list, so districts and wards resolve by name too.
  await importUnitList(stack.db.organisations, GSO_2025_03_01);
});
afterAll(async () => {
  await stack.stop();
});

test('a checkpoint is joined with its administrative units and operator from the organisations subgraph', async () => {
  const checkpoint = await insertCheckpoint(stack.db.checkpoints, {
    name: 'Chốt Bến Nghé',
    provinceCode: UNITS.hoChiMinh.province,
    districtCode: UNITS.hoChiMinh.district,
    wardCode: UNITS.hoChiMinh.ward,
    operatorCode: 'HCM-DOH',
  });
  const before = { ...stack.subgraphCalls };
  const res = await stack.as('dev-centre-admin').query<{
    checkpoint: {
      name: string;
      province: { code: string; name: string; level: string };
      district: { name: string; parent: { code: string } };
      ward: { name: string; parent: { code: string } };
      operator: { code: string; name: string; kind: string };
    };
  }>(
    `query($id: ID!) { checkpoint(id: $id) {
        name
        province { code name level }
        district { name parent { code } }
        ward { name parent { code } }
        operator { code name kind }
    } }`,
    { id: checkpoint.id },
  );
  expect(res.status).toBe(200);
  expect(res.body.errors).toBeUndefined();
  expect(res.body.data!.checkpoint).toEqual({
    name: 'Chốt Bến Nghé',
    province: { code: '79', name: 'Thành phố Hồ Chí Minh', level: 'PROVINCE' },
    district: { name: 'Quận 1', parent: { code: '79' } },
    ward: { name: 'Phường Bến Nghé', parent: { code: '760' } },
    operator: expect.objectContaining({ code: 'HCM-DOH', kind: 'PROVINCIAL_AUTHORITY' }) as unknown,
  });
  // One call to checkpoints; organisations gets the grants lookup plus one entity fetch per path
  // the planner runs in parallel (province, district, ward, operator) — each batched, never per item.
  expect(stack.subgraphCalls.checkpoints - before.checkpoints).toBe(1);
  expect(stack.subgraphCalls.organisations - before.organisations).toBe(5);
});

test('a declaration joins its citizen, the citizen movements (another subgraph) and their units (a third)', async () => {
  const ref = testCitizenRef(900);
  const declaration = await insertDeclaration(stack.db.declarations, {
    citizenRef: ref,
    provinceCode: UNITS.haNoi.province,
    districtCode: UNITS.haNoi.district,
    wardCode: UNITS.haNoi.ward,
  });
  await insertMovement(stack.db.movement, {
    citizenRef: ref,
    originProvinceCode: UNITS.haNoi.province,
    destinationProvinceCode: UNITS.hoChiMinh.province,
  });
  // A citizen's movements reached from another subgraph are their timeline: a declared purpose.
  const res = await stack.as('dev-health-01', { purpose: 'case investigation' }).query<{
    declaration: {
      province: { name: string };
      ward: { name: string };
      citizen: {
        ref: string;
        movements: { originProvince: { name: string }; destinationProvince: { name: string } }[];
      };
    };
  }>(
    `query($id: ID!) { declaration(id: $id) {
        province { name } ward { name }
        citizen { ref movements { originProvince { name } destinationProvince { name } } }
    } }`,
    { id: declaration.id },
  );
  expect(res.body.errors).toBeUndefined();
  expect(res.body.data!.declaration).toEqual({
    province: { name: 'Thành phố Hà Nội' },
    ward: { name: 'Phường Phúc Xá' },
    citizen: {
      ref,
      movements: [
        { originProvince: { name: 'Thành phố Hà Nội' }, destinationProvince: { name: 'Thành phố Hồ Chí Minh' } },
      ],
    },
  });
});

test('a failed subgraph leaves the rest of the answer, a masked error, and a ready gateway', async () => {
  const checkpoint = await insertCheckpoint(stack.db.checkpoints, { provinceCode: '01' });
  await stack.stopSubgraph('feedback');
  const res = await stack.as('dev-health-01').query<{
    checkpoint: { name: string } | null;
    feedback: unknown;
  }>(`query($id: ID!) { checkpoint(id: $id) { name } feedback(id: "00000000-0000-4000-8000-000000000001") { id } }`, { id: checkpoint.id });
  expect(res.status).toBe(200);
  expect(res.body.data?.checkpoint?.name).toBe(checkpoint.name);
  expect(res.body.data?.feedback).toBeNull();
  expect(res.body.errors).toHaveLength(1);
  const [error] = res.body.errors!;
  expect(error!.message).toBe('A part of the graph is temporarily unavailable; retry shortly');
  expect(error!.extensions).toEqual({ code: 'SERVICE_UNAVAILABLE', requestId: res.headers.get('x-request-id') });
  expect(JSON.stringify(res.body)).not.toMatch(/127\.0\.0\.1|localhost|http:|ECONNREFUSED|stack/i);

  const ready = await fetch(stack.gatewayUrl.replace('/graphql', '/readyz'));
  expect(ready.status).toBe(200);
  const body = (await ready.json()) as { checks: Record<string, string> };
  expect(body.checks['subgraph:feedback']).toBe('unreachable');
  expect(body.checks['subgraph:checkpoints']).toBe('ready');
});
