import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parse } from 'graphql';
import { composeServices, type CompositionResult } from '@apollo/composition';

export interface RoverSubgraph {
  name: string;
  routingUrl: string;
  schemaFile: string;
}

export interface RoverConfig {
  federationVersion: string;
  subgraphs: RoverSubgraph[];
}

/** Reads a rover supergraph config (the subset rover documents for file-based subgraphs). */
export function readRoverConfig(path: string): RoverConfig {
  const raw = parseYaml(readFileSync(path, 'utf8')) as {
    federation_version?: unknown;
    subgraphs?: Record<string, { routing_url?: unknown; schema?: { file?: unknown } }>;
  };
  if (typeof raw.federation_version !== 'string') throw new Error(`${path}: federation_version is required`);
  if (!raw.subgraphs || typeof raw.subgraphs !== 'object') throw new Error(`${path}: subgraphs is required`);
  const base = dirname(path);
  const subgraphs = Object.entries(raw.subgraphs).map(([name, s]) => {
    if (typeof s.routing_url !== 'string') throw new Error(`${path}: subgraphs.${name}.routing_url is required`);
    if (typeof s.schema?.file !== 'string') throw new Error(`${path}: subgraphs.${name}.schema.file is required`);
    const file = isAbsolute(s.schema.file) ? s.schema.file : join(base, s.schema.file);
    return { name, routingUrl: s.routing_url, schemaFile: file };
  });
  return { federationVersion: raw.federation_version.replace(/^=/, ''), subgraphs };
}

export interface ComposeOutcome {
  supergraphSdl?: string;
  /** One line per error: code, message, and the files involved. */
  errors: string[];
  hints: string[];
}

/** Composes in-process; the result equals `rover supergraph compose` on the same config. */
export function composeRoverConfig(path: string, typeDefsOverride: Record<string, string> = {}): ComposeOutcome {
  const config = readRoverConfig(path);
  const base = dirname(path);
  const fileOf = new Map(config.subgraphs.map((s) => [s.name, relative(base, s.schemaFile)]));
  const services = [];
  const errors: string[] = [];
  for (const s of config.subgraphs) {
    try {
      const sdl = typeDefsOverride[s.name] ?? readFileSync(s.schemaFile, 'utf8');
      services.push({ name: s.name, url: s.routingUrl, typeDefs: parse(sdl) });
    } catch (e) {
      errors.push(`[INVALID_GRAPHQL] ${fileOf.get(s.name)}: ${(e as Error).message}`);
    }
  }
  if (errors.length) return { errors, hints: [] };
  const result: CompositionResult = composeServices(services);
  if (result.errors) {
    return {
      errors: result.errors.map((e) => {
        const code = (e.extensions?.code as string | undefined) ?? 'COMPOSITION_ERROR';
        const files = [...fileOf.entries()].filter(([name]) => e.message.includes(`"${name}"`)).map(([, file]) => file);
        return `[${code}] ${e.message}${files.length ? ` (files: ${files.join(', ')})` : ''}`;
      }),
      hints: [],
    };
  }
  return {
    supergraphSdl: result.supergraphSdl,
    errors: [],
    hints: result.hints.map((h) => `[${h.definition.code}] ${h.message}`),
  };
}
