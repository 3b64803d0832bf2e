/** The versioned list of administrative units every subgraph keeps a copy of. */
export * from './entities';
export * from './schema';
export * from './csv';
export * from './import';
export * from './builtin';
export * from './query';
export * from './dates';
