import type { Logger } from '../subgraphs/kit/logger';
import type { Principal } from '../subgraphs/kit/principal';

export interface GatewayContext {
  principal: Principal;
  requestId: string;
  log: Logger;
}
