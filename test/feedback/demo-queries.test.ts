import { demoUuid } from '../../subgraphs/kit/demo';
import { startStack, type Stack } from '../stack';
import { ok } from './helpers';

/*
 * The example queries documented for the local stack, run against the development demo set (the
 * stack seeds them as `npm start` does, with the test pseudonymisation key).
 */

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ demo: true });
});
afterAll(async () => {
  await stack.stop();
});

const demo = (n: number) => demoUuid('feedback', n);

test('overdue feedback, the oldest deadline first, with names from the organisations subgraph', async () => {
  const data = await ok<{ overdueFeedback: { edges: { node: Record<string, unknown> }[] } }>(
    stack,
    'dev-dpo', // national: the overdue items of both provinces
    `{ overdueFeedback(first: 3) { edges { node {
        id category status overdue province { name } assignee { code name }
    } } } }`,
  );
  expect(data.overdueFeedback.edges.map((e) => e.node)).toEqual([
    {
      id: demo(27),
      category: 'QUARANTINE_BREACH',
      status: 'IN_PROGRESS',
      overdue: true,
      province: { name: 'Thành phố Hồ Chí Minh' },
      assignee: { code: 'HCM-DOH', name: 'Sở Y tế Thành phố Hồ Chí Minh' },
    },
    {
      id: demo(7),
      category: 'PRICE_GOUGING_OR_FRAUD',
      status: 'IN_PROGRESS',
      overdue: true,
      province: { name: 'Thành phố Hà Nội' },
      assignee: { code: 'HN-PC', name: 'Ủy ban nhân dân Thành phố Hà Nội' },
    },
    {
      id: demo(4),
      category: 'ARRIVAL_FROM_OUTBREAK_AREA',
      status: 'ASSIGNED',
      overdue: true,
      province: { name: 'Thành phố Hà Nội' },
      assignee: { code: 'HN-DOH', name: 'Sở Y tế Hà Nội' },
    },
  ]);
});

test('an organisation with the feedback it is handling and each item’s history', async () => {
  const data = await ok<{ organisation: unknown }>(
    stack,
    'dev-health-01',
    `{ organisation(code: "HN-CDC") {
        name
        assignedFeedback(status: IN_PROGRESS) { id category overdue history { actor from to assignee { code } } }
    } }`,
  );
  expect(data.organisation).toEqual({
    name: 'Trung tâm Kiểm soát bệnh tật Hà Nội',
    assignedFeedback: [
      {
        id: demo(1),
        category: 'QUARANTINE_BREACH',
        overdue: true,
        history: [
          { actor: 'dev-hotline-01', from: null, to: 'RECEIVED', assignee: null },
          { actor: 'dev-health-01', from: 'RECEIVED', to: 'ASSIGNED', assignee: { code: 'HN-CDC' } },
          { actor: 'dev-health-01', from: 'ASSIGNED', to: 'IN_PROGRESS', assignee: null },
        ],
      },
    ],
  });
});

test('feedback statistics of Hồ Chí Minh City by status', async () => {
  // Full counts for a national reader of feedback (an analyst would get counts below 5 suppressed).
  const data = await ok<{ feedbackStats: unknown }>(
    stack,
    'dev-dpo',
    `{ feedbackStats(unitCode: "79", groupBy: STATUS) { total buckets { key count } } }`,
  );
  expect(data.feedbackStats).toEqual({
    total: 15,
    buckets: [
      { key: 'RECEIVED', count: 2 },
      { key: 'ASSIGNED', count: 2 },
      { key: 'IN_PROGRESS', count: 3 },
      { key: 'RESOLVED', count: 6 },
      { key: 'REJECTED', count: 1 },
      { key: 'DUPLICATE', count: 1 },
    ],
  });
});
