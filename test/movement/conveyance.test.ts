import { conveyanceId, normaliseConveyanceId, seat } from '../../subgraphs/movement/conveyance';

/* The conveyance-id rules on their own (no database): what is accepted and how it is spelled. */

test.each([
  ['vn 123', 'VN123'],
  [' VJ1234 ', 'VJ1234'],
  ['29a12345', '29A-123.45'],
  ['29A-12345', '29A-123.45'],
  ['29a 123.45', '29A-123.45'],
  ['51B-1234', '51B-1234'],
  ['51ld 12345', '51LD-123.45'],
  ['29B112345', '29B1-123.45'],
  ['29B1-2345', '29B1-2345'],
  ['se 1', 'SE1'],
])('normalises %j to %j', (raw, expected) => {
  expect(normaliseConveyanceId(raw)).toBe(expected);
});

test.each([
  ['PLANE', 'vn 213', 'VN213'],
  ['PLANE', '9G1234', '9G1234'],
  ['TRAIN', 'SE1', 'SE1'],
  ['COACH', '29b-123.45', '29B-123.45'],
  ['CAR', '30E12345', '30E-123.45'],
  ['MOTORBIKE', '29-B1 123.45', '29B1-123.45'],
  ['SHIP', 'HP-1234', 'HP-1234'],
  ['SHIP', null, null],
  ['OTHER', '', null],
] as const)('accepts %s %j as %j', (mode, raw, expected) => {
  expect(conveyanceId('conveyanceId', mode, raw)).toBe(expected);
});

test.each([
  ['PLANE', null, /is required when travelling by PLANE/],
  ['PLANE', 'VN12345', /flight number/],
  ['PLANE', '29A-123.45', /flight number/],
  ['TRAIN', '123', /train number/],
  ['COACH', 'VN123', /plate/],
  ['CAR', 'ABC', /plate/],
  ['MOTORBIKE', '', /is required/],
  ['SHIP', 'S'.repeat(31), /at most 30/],
  ['OTHER', '#1', /letters, digits/],
] as const)('refuses %s %j', (mode, raw, rule) => {
  expect(() => conveyanceId('conveyanceId', mode, raw)).toThrow(rule);
});

test('seats are upper-cased without spaces, at most 8 letters, digits or hyphens', () => {
  expect(seat('seat', ' 12 a ')).toBe('12A');
  expect(seat('seat', null)).toBeNull();
  expect(() => seat('seat', '12/A')).toThrow(/seat: /);
  expect(() => seat('seat', '123456789')).toThrow(/seat: /);
});
