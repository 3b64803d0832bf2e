import type { ServerResponse } from 'node:http';
import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { errorBody, ErrorCode } from '../../subgraphs/kit/errors';
import { sendJson } from '../../subgraphs/kit/graphql-http';

export interface RateLimitSettings {
  /** Off: no limit at all (tests that are not about it). */
  enabled: boolean;
  /** Requests one principal (token subject) may make per window. */
  principalPoints: number;
  /** Requests one client (token `client_id`) may make per window, all its principals together. */
  clientPoints: number;
  windowSeconds: number;
}

export const DEFAULT_RATE_LIMIT: RateLimitSettings = {
  enabled: true,
  principalPoints: 600,
  clientPoints: 6_000,
  windowSeconds: 60,
};

/**
 * Builds the limiter for one key space. In memory: limits hold per gateway replica. For N replicas,
 * pass a factory returning rate-limiter-flexible's `RateLimiterRedis` with the same points and
 * duration (README, "Rate limits").
 */
export type LimiterFactory = (keyPrefix: string, points: number, durationSeconds: number) => RateLimiterAbstract;

export const memoryLimiter: LimiterFactory = (keyPrefix, points, duration) =>
  new RateLimiterMemory({ keyPrefix, points, duration });

export interface RateLimiter {
  /** Consumes one request of `subject` and of `clientId`; answers 429 itself and returns false when over. */
  admit(res: ServerResponse, subject: string, clientId: string | null, requestId: string): Promise<boolean>;
}

export function createRateLimiter(settings: RateLimitSettings, factory: LimiterFactory = memoryLimiter): RateLimiter {
  const byPrincipal = factory('principal', settings.principalPoints, settings.windowSeconds);
  const byClient = factory('client', settings.clientPoints, settings.windowSeconds);
  return {
    async admit(res, subject, clientId, requestId) {
      if (!settings.enabled) return true;
      try {
        await byPrincipal.consume(subject);
        if (clientId) await byClient.consume(clientId);
        return true;
      } catch (e) {
        // the store failing is not the caller's fault: let the request through rather than refuse everyone
        if (!(e instanceof RateLimiterRes)) return true;
        const seconds = Math.max(1, Math.ceil(e.msBeforeNext / 1000));
        res.setHeader('retry-after', String(seconds));
        sendJson(res, 429, errorBody(ErrorCode.RATE_LIMITED, `Too many requests: retry after ${seconds} s`, requestId));
        return false;
      }
    },
  };
}
