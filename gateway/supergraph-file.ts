import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { SupergraphManager, SupergraphSdlUpdateFunction } from '@apollo/gateway';
import type { Logger } from '../subgraphs/kit/logger';

export interface SupergraphState {
  loaded: boolean;
  hash: string | null;
  lastError: string | null;
  /** Hash of the last content that was rejected (it is not retried until the file changes). */
  rejectedHash: string | null;
  /** Subgraph names and routing URLs of the schema in force (kept out of any response). */
  subgraphs: { name: string; url: string }[];
}

export const hashOf = (sdl: string): string => createHash('sha256').update(sdl).digest('hex').slice(0, 16);

/** Names and routing URLs from a supergraph's `join__Graph` enum. */
export function subgraphsOf(sdl: string): { name: string; url: string }[] {
  const out: { name: string; url: string }[] = [];
  const re = /@join__graph\(name:\s*"([^"]+)",\s*url:\s*"([^"]*)"\)/g;
  for (let m = re.exec(sdl); m; m = re.exec(sdl)) out.push({ name: m[1]!, url: m[2]! });
  return out;
}

/**
 * Serves the supergraph from a file and applies a new one without a restart. The file is polled
 * by content hash (fs.watch misses atomic replaces and fires on half-written files); a change is
 * applied only once two consecutive reads agree, and the gateway's `update` (which throws on an
 * invalid supergraph, or while another update runs) is called inside try/catch so the old schema
 * keeps serving and the reason is logged.
 */
export class SupergraphFile implements SupergraphManager {
  readonly state: SupergraphState = { loaded: false, hash: null, lastError: null, rejectedHash: null, subgraphs: [] };
  private timer: NodeJS.Timeout | undefined;
  private candidate: string | null = null;
  private readonly listeners: ((s: SupergraphState) => void)[] = [];

  constructor(
    private readonly path: string,
    private readonly pollMs: number,
    private readonly log: Logger,
  ) {}

  /** Called after each applied or rejected change (tests wait on it; never sleep). */
  onChange(listener: (s: SupergraphState) => void): void {
    this.listeners.push(listener);
  }

  async initialize({ update }: { update: SupergraphSdlUpdateFunction }) {
    const sdl = await readFile(this.path, 'utf8');
    this.accept(sdl);
    this.timer = setInterval(() => void this.poll(update), this.pollMs);
    this.timer.unref();
    return {
      supergraphSdl: sdl,
      cleanup: async () => {
        if (this.timer) clearInterval(this.timer);
      },
    };
  }

  private accept(sdl: string): void {
    Object.assign(this.state, {
      loaded: true,
      hash: hashOf(sdl),
      lastError: null,
      rejectedHash: null,
      subgraphs: subgraphsOf(sdl),
    });
  }

  private async poll(update: (sdl: string) => void): Promise<void> {
    let sdl: string;
    try {
      sdl = await readFile(this.path, 'utf8');
    } catch (e) {
      this.log.warn({ reason: (e as Error).message }, 'supergraph file unreadable; keeping the current schema');
      return;
    }
    if (sdl.trim() === '') return; // truncated for rewriting: wait for the content
    const hash = hashOf(sdl);
    if (hash === this.state.hash || hash === this.state.rejectedHash) {
      this.candidate = null;
      return;
    }
    if (this.candidate !== hash) {
      this.candidate = hash; // wait for a second identical read: the writer may not be done
      return;
    }
    this.candidate = null;
    try {
      update(sdl);
      this.accept(sdl);
      this.log.info({ hash }, 'applied a new supergraph');
    } catch (e) {
      this.state.rejectedHash = hash;
      this.state.lastError = (e as Error).message.split('\n')[0] ?? 'invalid supergraph';
      this.log.error(
        { hash, reason: this.state.lastError },
        'rejected a new supergraph; the previous schema keeps serving',
      );
    }
    for (const l of this.listeners) l(this.state);
  }
}
