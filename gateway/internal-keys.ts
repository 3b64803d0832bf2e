import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { JSONWebKeySet, JWK } from 'jose';
import { importSigningKey, readJwksFile, type SigningKey } from '../subgraphs/kit/keys';
import type { Logger } from '../subgraphs/kit/logger';

const hashOf = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 16);

/**
 * The gateway's internal signing key, followed on disk so it rotates without a restart.
 *
 * The private key file (a JWK) and its JWKS are polled every `pollMs`. A new private key is taken
 * into use only when
 *  - two consecutive reads of the file agree (a writer that does not replace the file atomically
 *    is never read half-way), and it parses and imports as a signing key with a `kid`;
 *  - its `kid` is published in the JWKS file (subgraphs could not verify it otherwise; the key is
 *    retried at every poll until it is).
 * Until then the current key keeps signing. The JWKS served at `/.well-known/internal-jwks.json`
 * is the last good read of the JWKS file.
 */
export class InternalSigningKeys {
  private timer: NodeJS.Timeout | undefined;
  private candidate: string | null = null;
  private rejected: string | null = null;
  private polling = false;
  private lastWarning: string | null = null;
  private readonly listeners: ((key: SigningKey) => void)[] = [];

  private constructor(
    private readonly privateKeyPath: string,
    private readonly jwksPath: string,
    private readonly log: Logger,
    private key: SigningKey,
    private keyHash: string,
    private published: JSONWebKeySet,
  ) {}

  /** Reads both files (a missing or bad file fails here, at start-up) and starts polling. */
  static async open(opts: {
    privateKeyPath: string;
    jwksPath: string;
    pollMs: number;
    logger: Logger;
  }): Promise<InternalSigningKeys> {
    const text = await readFile(opts.privateKeyPath, 'utf8');
    const key = await importSigningKey(JSON.parse(text) as JWK);
    const jwks = await readJwksFile(opts.jwksPath);
    if (!jwks.keys.some((k) => k.kid === key.kid)) {
      opts.logger.error(
        { kid: key.kid, jwks: opts.jwksPath },
        'the internal signing key is not in the internal JWKS: subgraphs will refuse its tokens',
      );
    }
    const keys = new InternalSigningKeys(opts.privateKeyPath, opts.jwksPath, opts.logger, key, hashOf(text), jwks);
    keys.timer = setInterval(() => void keys.poll(), opts.pollMs);
    keys.timer.unref();
    return keys;
  }

  /** The key new tokens are signed with. */
  current(): SigningKey {
    return this.key;
  }

  /** The published public keys (the current key's and, during a rotation, the previous one's). */
  jwks(): JSONWebKeySet {
    return this.published;
  }

  /** Called after each switch to a new key (tests wait on it; never sleep). */
  onChange(listener: (key: SigningKey) => void): void {
    this.listeners.push(listener);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private warnOnce(reason: string, fields: Record<string, unknown>): void {
    if (this.lastWarning === reason) return;
    this.lastWarning = reason;
    this.log.warn(fields, reason);
  }

  /** One check of both files (also called by the poll timer). */
  async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      await this.check();
    } finally {
      this.polling = false;
    }
  }

  private async check(): Promise<void> {
    try {
      this.published = await readJwksFile(this.jwksPath);
    } catch (e) {
      this.warnOnce('internal JWKS file unreadable; keeping the last good one', { reason: (e as Error).message });
    }
    let text: string;
    try {
      text = await readFile(this.privateKeyPath, 'utf8');
    } catch (e) {
      this.warnOnce('internal signing key file unreadable; keeping the current key', {
        reason: (e as Error).message,
      });
      return;
    }
    const hash = hashOf(text);
    if (hash === this.keyHash || hash === this.rejected) {
      this.candidate = null;
      return;
    }
    if (this.candidate !== hash) {
      this.candidate = hash; // wait for a second identical read: the writer may not be done
      return;
    }
    let next: SigningKey;
    try {
      next = await importSigningKey(JSON.parse(text) as JWK);
    } catch (e) {
      this.rejected = hash;
      this.candidate = null;
      this.log.error(
        { reason: (e as Error).message },
        'rejected a new internal signing key file; the current key keeps signing',
      );
      return;
    }
    if (!this.published.keys.some((k) => k.kid === next.kid)) {
      // retried at every poll: the JWKS may be published a moment later
      this.warnOnce('new internal signing key not yet in the internal JWKS; the current key keeps signing', {
        kid: next.kid,
      });
      return;
    }
    const previousKid = this.key.kid;
    this.key = next;
    this.keyHash = hash;
    this.candidate = null;
    this.lastWarning = null;
    this.log.info({ kid: next.kid, previousKid }, 'internal signing key rotated');
    for (const l of this.listeners) l(next);
  }
}
