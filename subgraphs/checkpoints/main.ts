import { runSubgraph } from '../kit/main';
import { checkpointsModule } from './module';

void runSubgraph(checkpointsModule);
