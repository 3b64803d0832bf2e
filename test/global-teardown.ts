import { scanLogDir } from './log-scan';

export default async function globalTeardown(): Promise<void> {
  try {
    await globalThis.__TEST_CLUSTER__?.cluster.stop();
    // No personal data in logs (DESIGN §7): every test logger's lines of this run (test/log-scan.ts).
    const dir = process.env.TEST_LOG_DIR;
    if (!dir) return;
    const { files, lines, findings } = scanLogDir(dir);
    if (findings.length) {
      const list = findings
        .slice(0, 20)
        .map((f) => `  ${f.kind} ${f.masked} at ${f.file}:${f.line}`)
        .join('\n');
      throw new Error(
        `log scan: ${findings.length} identity number(s), phone number(s) or token(s) in the suite's logs ` +
          `(${dir}, removed with the run's temporary directory):\n${list}`,
      );
    }
    process.stdout.write(
      `log scan: ${lines} log lines from ${files} worker(s), no identity numbers, phones or tokens\n`,
    );
  } finally {
    // the cluster's data directory and the logs: nothing of a run is left in the temp dir
    await globalThis.__TEST_CLUSTER__?.dispose();
  }
}
