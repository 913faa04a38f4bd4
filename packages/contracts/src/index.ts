export * from './common.ts';
export * from './accounts.ts';
export * from './graph.ts';
export * from './jobs.ts';
export * from './media.ts';
export * from './messaging.ts';
export * from './sharing.ts';
export * from './shop.ts';
