import type { Logger } from '../subgraphs/kit/logger';
import type { Principal } from '../subgraphs/kit/principal';

export interface GatewayContext {
  principal: Principal;
  requestId: string;
  /** The access token's `client_id` claim (the calling app), when it has one. */
  clientId?: string | null;
  log: Logger;
  /** Internal tokens signed for this request, by subgraph: a request that calls one subgraph
   * several times (parallel entity fetches) signs once per subgraph. */
  internalTokens: Map<string, Promise<string>>;
}
