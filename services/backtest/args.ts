/** Command-line arguments of `backtest`, validated once with explicit defaults. */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '../..');
export const DEV_DATA = join(REPO_ROOT, '../shared/data/online-retail/online_retail_dev.csv.gz');
export const FIXTURE = join(REPO_ROOT, 'test/fixtures/online-retail/sample.csv');

export const USAGE = `usage: npx tsx services/backtest/main.ts [--data FILE] [--models a,b,...] [--ensemble-members a,b,...]
       [--json FILE] [--forecasts FILE] [--forecast-model NAME] [--report FILE.html] [--embedder minilm|hash|none] [--no-progress]
  --data              Online Retail CSV (plain or gzip); default ../shared/data/online-retail/online_retail_dev.csv.gz
                      when present, else test/fixtures/online-retail/sample.csv
  --models            models to run (default: every registered model)
  --ensemble-members  models the ensemble combines (default: the statistical models and registered members)
  --json              write the full result as JSON
  --forecasts         write origin,sku,date,p10,p50,p90 of one model (--forecast-model, default ensemble)
  --report            write a self-contained HTML report (charts as inline SVG); samples from --forecast-model
  --embedder          listing-text embeddings for cold start: minilm (default; the real model), hash, none`;

export interface BacktestArgs {
  data: string;
  models?: string[];
  ensembleMembers?: string[];
  json?: string;
  forecasts?: string;
  forecastModel?: string;
  report?: string;
  embedder: 'minilm' | 'hash' | 'none';
  progress: boolean;
  help: boolean;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(`${message}\n${USAGE}`);
    this.name = 'UsageError';
  }
}

const list = (v: string) => v.split(',').map((s) => s.trim()).filter(Boolean);

export function parseArgs(argv: string[]): BacktestArgs {
  const a: BacktestArgs = { data: existsSync(DEV_DATA) ? DEV_DATA : FIXTURE, embedder: 'minilm', progress: true, help: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--data': a.data = resolve(value()); break;
      case '--models': a.models = list(value()); break;
      case '--ensemble-members': a.ensembleMembers = list(value()); break;
      case '--json': a.json = resolve(value()); break;
      case '--forecasts': a.forecasts = resolve(value()); break;
      case '--forecast-model': a.forecastModel = value(); break;
      case '--report': a.report = resolve(value()); break;
      case '--embedder': {
        const v = value();
        if (v !== 'minilm' && v !== 'hash' && v !== 'none') throw new UsageError(`--embedder must be minilm, hash or none, got "${v}"`);
        a.embedder = v;
        break;
      }
      case '--no-progress': a.progress = false; break;
      case '--help': case '-h': a.help = true; break;
      default: throw new UsageError(`unknown argument "${flag}"`);
    }
  }
  if (!a.help && !existsSync(a.data)) throw new UsageError(`--data: no such file ${a.data}`);
  return a;
}
