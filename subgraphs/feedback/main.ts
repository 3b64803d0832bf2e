import { runSubgraph } from '../kit/main';
import { feedbackModule } from './module';

void runSubgraph(feedbackModule);
