import { DOMAIN_EVENT_TYPES, type DomainEventType, JOB_KINDS, type JobKind, type ShareType } from '@loop/contracts';
import type { FastifyPluginAsync } from 'fastify';
import type { EventHandler, EventHandlers } from '../platform/events/events.ts';
import type { JobHandler, JobHandlers } from '../platform/jobs/queue.ts';
import { buildFrameRegistry, type RealtimeFeature } from '../platform/realtime/frames.ts';
import type { GraphLens, IdentifierHook, PrivacyHook } from '../modules/accounts/index.ts';
import type { VideoCounter } from '../modules/graph/index.ts';
import type { ShareCardProvider } from '../modules/messaging/index.ts';
import type { DemoSeeder } from '../modules/demo/index.ts';
import type { AppContext } from './context.ts';

/**
 * How modules are put together (ARCHITECTURE.md "modules"). Each module's `index.ts` exports a
 * `LoopModule` saying what it provides and which single providers it needs; app/modules.ts lists
 * the modules; `assembleModules` joins them into the `Wiring` that rides on the context. Nothing
 * registers itself by being imported: a capability nobody provides is an error at start-up, not
 * a quiet "nobody is blocked" or "any share kind goes".
 */

/** HTTP routes of a module, given the context. */
export type RoutesFactory = (ctx: AppContext) => FastifyPluginAsync;

/** Capabilities exactly one module provides and others rely on. */
export interface SingleProviders {
  /** Profile counts, relationships and who is hidden from whom: what the graph adds to accounts. */
  graphLens: GraphLens;
  /** How many clips a profile shows a viewer (media, for the graph's profile counts). */
  videoCounter: VideoCounter;
}

/** Frequent background work of a module, run by the worker role. */
export interface PeriodicTask {
  name: string;
  everyMs: number;
  run(ctx: AppContext): Promise<void>;
}

export interface Provides extends Partial<SingleProviders> {
  /** Mounted under /api/v1. */
  routes?: RoutesFactory[];
  /** Mounted at the site root (pages such as /v/:id). */
  siteRoutes?: RoutesFactory[];
  /** Client frames it handles and its passes over outgoing frames (platform/realtime/frames.ts). */
  frames?: RealtimeFeature<AppContext>;
  /** Handlers of durable job kinds; every kind has exactly one, across all modules. */
  jobs?: { [K in JobKind]?: JobHandler<AppContext, K> };
  /** What it does after a domain event commits (platform/events), at least once, on any node. */
  events?: { [T in DomainEventType]?: ReadonlyArray<EventHandler<AppContext, T>> };
  /** Idempotent periodic work the worker runs (about hourly). */
  housekeeping?: Array<(ctx: AppContext) => Promise<void>>;
  /** Work the worker repeats every few seconds (batched counters, model refits when due); idempotent, one run at a time per node. */
  periodic?: PeriodicTask[];
  /** Share cards for a kind of object; a kind with no provider cannot be shared. */
  shareCards?: { [T in ShareType]?: ShareCardProvider };
  /** Run inside the transaction that changes an account's private setting. */
  privacyHooks?: PrivacyHook[];
  /** Run inside the transaction that gives an account an email or phone. */
  identifierHooks?: IdentifierHook[];
  /** Demo data for the embedded first run, in list order after the demo accounts exist. */
  demo?: DemoSeeder;
}

export interface LoopModule {
  name: string;
  provides: Provides;
  /** Single providers this module cannot work without. */
  needs?: ReadonlyArray<keyof SingleProviders>;
  /** Modules whose index.ts this one calls: they must be listed too (the architecture test checks this matches the imports). */
  uses?: readonly string[];
}

/** The modules joined: what every service reads from `ctx.modules`. */
export interface Wiring extends SingleProviders {
  names: readonly string[];
  routes: RoutesFactory[];
  siteRoutes: RoutesFactory[];
  jobs: JobHandlers<AppContext>;
  /** Every domain event type with the handlers of every module (an empty list: nobody reacts yet). */
  events: EventHandlers<AppContext>;
  frames: Array<RealtimeFeature<AppContext>>;
  housekeeping: Array<(ctx: AppContext) => Promise<void>>;
  periodic: PeriodicTask[];
  shareCards: ReadonlyMap<ShareType, ShareCardProvider>;
  privacyHooks: PrivacyHook[];
  identifierHooks: IdentifierHook[];
  demoSeeders: DemoSeeder[];
}

export class ModuleWiringError extends Error {}

/**
 * Joins the modules, or throws a `ModuleWiringError` that says what is wrong: a need nobody
 * provides, two providers of one thing, a job kind without a handler, a module listed twice.
 */
export function assembleModules(modules: readonly LoopModule[]): Wiring {
  const problems: string[] = [];
  const names = modules.map((m) => m.name);
  for (const [i, n] of names.entries()) if (names.indexOf(n) !== i) problems.push(`module "${n}" is listed twice`);

  const single: Partial<Record<keyof SingleProviders, { by: string; value: unknown }>> = {};
  const jobs: Partial<Record<JobKind, { by: string; value: unknown }>> = {};
  const shareCards = new Map<ShareType, ShareCardProvider>();
  const shareBy = new Map<ShareType, string>();
  const events = Object.fromEntries(DOMAIN_EVENT_TYPES.map((t) => [t, [] as unknown[]])) as Record<DomainEventType, unknown[]>;
  const wiring = {
    names,
    routes: [] as RoutesFactory[],
    siteRoutes: [] as RoutesFactory[],
    frames: [] as Array<RealtimeFeature<AppContext>>,
    housekeeping: [] as Wiring['housekeeping'],
    periodic: [] as PeriodicTask[],
    privacyHooks: [] as PrivacyHook[],
    identifierHooks: [] as IdentifierHook[],
    demoSeeders: [] as DemoSeeder[],
  };
  for (const m of modules) {
    const p = m.provides;
    for (const key of ['graphLens', 'videoCounter'] as const) {
      if (p[key] === undefined) continue;
      const before = single[key];
      if (before) problems.push(`${key} is provided by both "${before.by}" and "${m.name}"`);
      else single[key] = { by: m.name, value: p[key] };
    }
    for (const [kind, handler] of Object.entries(p.jobs ?? {}) as Array<[JobKind, unknown]>) {
      if (!handler) continue;
      const before = jobs[kind];
      if (before) problems.push(`job kind "${kind}" is handled by both "${before.by}" and "${m.name}"`);
      else jobs[kind] = { by: m.name, value: handler };
    }
    for (const [type, provider] of Object.entries(p.shareCards ?? {}) as Array<[ShareType, ShareCardProvider | undefined]>) {
      if (!provider) continue;
      if (shareBy.has(type)) problems.push(`share cards of "${type}" are provided by both "${shareBy.get(type)}" and "${m.name}"`);
      shareBy.set(type, m.name);
      shareCards.set(type, provider);
    }
    for (const [type, handlers] of Object.entries(p.events ?? {}) as Array<[DomainEventType, unknown[] | undefined]>) {
      events[type].push(...(handlers ?? []));
    }
    wiring.routes.push(...(p.routes ?? []));
    wiring.siteRoutes.push(...(p.siteRoutes ?? []));
    wiring.housekeeping.push(...(p.housekeeping ?? []));
    wiring.periodic.push(...(p.periodic ?? []));
    if (p.frames) wiring.frames.push(p.frames);
    wiring.privacyHooks.push(...(p.privacyHooks ?? []));
    wiring.identifierHooks.push(...(p.identifierHooks ?? []));
    if (p.demo) wiring.demoSeeders.push(p.demo);
  }
  for (const m of modules) {
    for (const need of m.needs ?? []) if (!single[need]) problems.push(`"${m.name}" needs ${need}, which no listed module provides`);
    for (const used of m.uses ?? []) if (!names.includes(used)) problems.push(`"${m.name}" uses "${used}", which is not listed`);
  }
  for (const kind of JOB_KINDS) if (!jobs[kind]) problems.push(`job kind "${kind}" has no handler in any listed module`);
  try {
    buildFrameRegistry(wiring.frames);
  } catch (err) {
    problems.push((err as Error).message);
  }
  if (problems.length) throw new ModuleWiringError(`The modules do not fit together:\n  - ${problems.join('\n  - ')}`);
  return {
    ...wiring,
    graphLens: single.graphLens?.value as GraphLens,
    videoCounter: single.videoCounter?.value as VideoCounter,
    jobs: Object.fromEntries(Object.entries(jobs).map(([k, v]) => [k, v!.value])) as JobHandlers<AppContext>,
    events: events as unknown as EventHandlers<AppContext>,
    shareCards,
  };
}
