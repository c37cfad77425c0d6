/**
 * Models the backtest can run, by name. Other modules add theirs with registerModel (the tfjs LSTM
 * does so from shared/ml/register.ts, which services/backtest passes to useModels), so adding a model never
 * means editing the backtest.
 *
 * A factory gets a per-window context whose member(name) returns ONE shared instance per name, so the
 * ensemble and the model's own row reuse the same fit (see SharedModel in protocol.ts).
 */
import { ColdStartModel } from '../forecasting/cold-start';
import { Ensemble } from '../forecasting/ensemble';
import { STATISTICAL_MODELS, statisticalModel } from '../forecasting/index';
import type { ForecastModel } from '../forecasting/model';

export type Segment = 'established' | 'new';

export interface ModelContext {
  /** The shared instance of a registered model for this window. */
  member(name: string): ForecastModel;
  /** Names the ensemble combines (from --ensemble-members or the defaults). */
  ensembleMembers: string[];
}

export interface ModelEntry {
  segments: Segment[];
  create(ctx: ModelContext): ForecastModel;
  /** Included in the default ensemble. */
  ensembleMember?: boolean;
  /** Run by default when --models is not given. */
  default?: boolean;
  description?: string;
}

const registry = new Map<string, ModelEntry>();

export function registerModel(name: string, entry: ModelEntry): void {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`model name "${name}" must match [a-z0-9_]+`);
  registry.set(name, entry);
}

export function getModel(name: string): ModelEntry {
  const e = registry.get(name);
  if (!e) throw new Error(`unknown model "${name}" (known: ${[...registry.keys()].join(', ')})`);
  return e;
}

export function modelNames(): string[] {
  return [...registry.keys()];
}

export function defaultModels(): string[] {
  return [...registry].filter(([, e]) => e.default !== false).map(([n]) => n);
}

export function defaultEnsembleMembers(): string[] {
  return [...registry].filter(([, e]) => e.ensembleMember).map(([n]) => n);
}

for (const name of STATISTICAL_MODELS) {
  registerModel(name, { segments: ['established'], create: () => statisticalModel(name), ensembleMember: true, description: 'statistical, calibrated quantiles' });
}
registerModel('cold_start', { segments: ['new'], create: () => new ColdStartModel(), description: 'k-NN over listing embeddings + price' });
registerModel('ensemble', {
  segments: ['established', 'new'],
  create: (ctx) => new Ensemble(ctx.ensembleMembers.map((m) => ctx.member(m)), { coldStart: ctx.member('cold_start') }),
  description: 'validation-weighted quantile average; new products via cold_start',
});

/**
 * Adds a module's models (`registerModels` of shared/ml/register, say), once. The composition root
 * (services/backtest, a benchmark) chooses them with an import of its own, so this registry, like
 * the rest of the evaluation code, depends on no tfjs code.
 */
const used = new Set<(register: typeof registerModel) => void>();
export function useModels(registerModels: (register: typeof registerModel) => void): void {
  if (used.has(registerModels)) return;
  used.add(registerModels);
  registerModels(registerModel);
}
