import { Init1732700000000 } from './1732700000000-Init';

/** Applied in this order; never edit a released migration, add a new one. */
export const checkpointsMigrations = [Init1732700000000];
