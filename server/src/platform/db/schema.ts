/**
 * The Kysely table map. Each module adds its own tables to this interface by
 * declaration merging in its `*.repo.ts`, so a module's tables live beside its code.
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled by declaration merging in each module's repo
export interface Database {}
