import { runSubgraph } from '../kit/main';
import { movementModule } from './module';

void runSubgraph(movementModule);
