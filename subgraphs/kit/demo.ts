import { calendarDay } from './admin-units/dates';

/**
 * The deterministic demo population every subgraph's development seed shares, so the local
 * stack's records join across subgraphs (the same documents give the same `Citizen.ref`).
 * Fictional people; document numbers follow the citizen-ID rules (birth province, century and
 * sex digit, birth year) so they pass validation.
 */
export interface DemoPerson {
  index: number;
  fullName: string;
  yearOfBirth: number;
  sex: 'MALE' | 'FEMALE';
  documentNumber: string;
  phone: string;
  /** Province where the person lives (01 Hà Nội or 79 Hồ Chí Minh City). */
  provinceCode: '01' | '79';
}

const NAMES: [string, 'MALE' | 'FEMALE', number, '01' | '79'][] = [
  ['Nguyễn Văn An', 'MALE', 1985, '01'],
  ['Trần Thị Bình', 'FEMALE', 1990, '01'],
  ['Lê Hoàng Cường', 'MALE', 1978, '01'],
  ['Phạm Thu Dung', 'FEMALE', 2001, '01'],
  ['Hoàng Minh Đức', 'MALE', 1995, '01'],
  ['Vũ Ngọc Hà', 'FEMALE', 1968, '01'],
  ['Đặng Quốc Huy', 'MALE', 1988, '79'],
  ['Bùi Thị Lan', 'FEMALE', 1993, '79'],
  ['Đỗ Văn Minh', 'MALE', 2003, '79'],
  ['Hồ Thị Ngọc', 'FEMALE', 1975, '79'],
  ['Ngô Thanh Phong', 'MALE', 1982, '79'],
  ['Dương Thị Quỳnh', 'FEMALE', 1999, '79'],
];

/** Century-and-sex digit of a 12-digit citizen ID: 0/1 for 1900s men/women, 2/3 for 2000s. */
export function centurySexDigit(yearOfBirth: number, sex: 'MALE' | 'FEMALE'): number {
  return (Math.floor(yearOfBirth / 100) - 19) * 2 + (sex === 'FEMALE' ? 1 : 0);
}

export const DEMO_PEOPLE: readonly DemoPerson[] = NAMES.map(([fullName, sex, yearOfBirth, provinceCode], i) => ({
  index: i + 1,
  fullName,
  yearOfBirth,
  sex,
  provinceCode,
  documentNumber: `0${provinceCode}${centurySexDigit(yearOfBirth, sex)}${String(yearOfBirth % 100).padStart(2, '0')}${String(100_000 + i * 7_919).padStart(6, '0')}`,
  phone: `09${String(10_000_000 + i * 1_234_567).slice(0, 8)}`,
}));

/**
 * An instant `daysAgo` calendar days before `today` (a Vietnamese calendar day), at `hour` local
 * time: demo records are spread over the last 14 days relative to the day the seed runs.
 */
export function demoInstant(daysAgo: number, hour: number, now: Date = new Date()): Date {
  const today = calendarDay(now); // YYYY-MM-DD in Asia/Ho_Chi_Minh
  const localMidnightUtc = Date.parse(`${today}T00:00:00+07:00`);
  return new Date(localMidnightUtc - daysAgo * 86_400_000 + hour * 3_600_000);
}

const DEMO_NAMESPACES = {
  declaration: 1,
  movement: 2,
  checkpoint: 3,
  passage: 4,
  feedback: 5,
  monitoring: 6,
  user: 7,
} as const;
export type DemoNamespace = keyof typeof DEMO_NAMESPACES;

/**
 * A fixed UUID for the n-th demo record of a kind, so one subgraph's demo data can point at
 * another's (a demo passage verifies demo movement 3) without sharing a database.
 */
export function demoUuid(kind: DemoNamespace, n: number): string {
  return `de300000-0000-4000-8${DEMO_NAMESPACES[kind]}00-${String(n).padStart(12, '0')}`;
}

/** The development users' subjects (one per role), in a fixed order that gives each a fixed id. */
export const DEMO_USER_SUBJECTS = [
  'dev-centre-admin',
  'dev-dpo',
  'dev-health-01',
  'dev-health-79',
  'dev-checkpoint-01',
  'dev-analyst',
  'dev-hotline-01',
  'dev-consumer-79',
] as const;

/** A development user's fixed id, so one subgraph's demo data can name another's users. */
export function demoUserId(subject: (typeof DEMO_USER_SUBJECTS)[number]): string {
  return demoUuid('user', DEMO_USER_SUBJECTS.indexOf(subject) + 1);
}
