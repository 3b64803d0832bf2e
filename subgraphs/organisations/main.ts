import { runSubgraph } from '../kit/main';
import { organisationsModule } from './module';

void runSubgraph(organisationsModule);
