import { runSubgraph } from '../kit/main';
import { declarationsModule } from './module';

void runSubgraph(declarationsModule);
