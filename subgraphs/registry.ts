import type { SubgraphModule, SubgraphName } from './kit/module';
import { organisationsModule } from './organisations/module';
import { declarationsModule } from './declarations/module';
import { movementModule } from './movement/module';
import { feedbackModule } from './feedback/module';
import { checkpointsModule } from './checkpoints/module';

/** Every subgraph, by name: used by the stack, the tests and the drift checks. */
export const MODULES: Readonly<Record<SubgraphName, SubgraphModule>> = {
  organisations: organisationsModule,
  declarations: declarationsModule,
  movement: movementModule,
  feedback: feedbackModule,
  checkpoints: checkpointsModule,
};
