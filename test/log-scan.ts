import { appendFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The suite-wide log scan (DESIGN §7: logs never contain identity numbers, phone numbers or
 * tokens). During a jest run every test logger — `silentLogger()` (mocked by test/log-setup.ts),
 * `captureLogs()` and the stack's default — also appends its JSON lines to a per-worker file in
 * TEST_LOG_DIR (a directory of the run's temporary folder, set by the global setup). The global
 * teardown scans those files and fails the run on a finding. Kept cheap: plain appends, one pass
 * of three regular expressions at the end.
 */

export const LOG_PATTERNS: Readonly<Record<string, RegExp>> = {
  /** A 12-digit citizen ID (CCCD), not part of a longer number, a decimal or a UUID. */
  'citizen ID': /(?<![\w.-])\d{12}(?![\w-])/g,
  /** A Vietnamese phone number: 0 or (+)84, then a mobile (3/5/7/8/9 + 8 digits) or a landline (2 + 9). */
  'phone number': /(?<![\w.+-])(?:\+?84|0)(?:[35789]\d{8}|2\d{9})(?![\w-])/g,
  /** A JWT (compact JWS): base64url JSON header and payload, then a signature (maybe empty). */
  token: /eyJ[\w-]{2,}\.eyJ[\w-]{2,}\.[\w-]*/g,
};

export interface LogFinding {
  kind: string;
  file: string;
  line: number;
  /** The match, masked (the report itself must not leak it). */
  masked: string;
}

const mask = (s: string) => (s.length <= 4 ? '****' : `${s.slice(0, 2)}${'*'.repeat(s.length - 4)}${s.slice(-2)}`);

export function scanLogText(text: string, file = '-'): LogFinding[] {
  const findings: LogFinding[] = [];
  text.split('\n').forEach((line, i) => {
    for (const [kind, pattern] of Object.entries(LOG_PATTERNS)) {
      for (const m of line.matchAll(pattern)) findings.push({ kind, file, line: i + 1, masked: mask(m[0]) });
    }
  });
  return findings;
}

export function scanLogDir(dir: string): { files: number; lines: number; findings: LogFinding[] } {
  if (!existsSync(dir)) return { files: 0, lines: 0, findings: [] };
  let lines = 0;
  const findings: LogFinding[] = [];
  const files = readdirSync(dir).filter((f) => f.endsWith('.jsonl'));
  for (const f of files) {
    const text = readFileSync(join(dir, f), 'utf8');
    lines += text.split('\n').length - 1;
    findings.push(...scanLogText(text, f));
  }
  return { files: files.length, lines, findings };
}

/** Where this jest worker's log lines go (undefined outside a jest run with the scan set up). */
export function suiteLogFile(): string | undefined {
  const dir = process.env.TEST_LOG_DIR;
  return dir ? join(dir, `worker-${process.env.JEST_WORKER_ID ?? '0'}.jsonl`) : undefined;
}

/** A pino destination appending to this worker's scan file (no open handle left behind). */
export function suiteLogDestination(): { write(s: string): void } | undefined {
  const file = suiteLogFile();
  return file ? { write: (s: string) => appendFileSync(file, s) } : undefined;
}
