import { flagHelp, flagsToEnv, parseFlags, type FlagDefs } from '../args';
import type { Command } from '../command';

const FLAGS: FlagDefs = {
  '--data': { value: true, arg: 'FILE', env: 'DEMO_DATA', help: 'Online Retail CSV (.csv or .csv.gz) to replay; default the bundled sample' },
  '--top': { value: true, arg: 'N', env: 'DEMO_TOP', help: 'products listed per direction (default 10)' },
  '--model': { value: true, arg: 'NAME', env: 'FORECAST_MODEL', help: 'forecasting model (default ensemble; see the README: Forecasting)' },
  '--horizon': { value: true, arg: 'N', env: 'FORECAST_HORIZON', help: 'buckets forecast ahead (default 28)' },
};

export const demo: Command = {
  name: 'demo',
  summary: 'the whole pipeline in one process on the bundled sample (needs no Kafka or Redis)',
  help: () => `usage: trendcast demo [options]

Replays an Online Retail CSV through the real handlers over an in-memory bus and state, embeds every
listing with the sentence-embedding model, forecasts every product and prints the strongest rising
and falling trends. A progress bar shows the replay.

${flagHelp(FLAGS)}

Also read from the environment: BUCKET_MS, SMOOTHING_ALPHA, SMOOTHING_BETA, EMBEDDING_MODEL_ID,
EMBEDDING_MODEL_DIR, TREND_FLAT_BAND, LOG_LEVEL (default warn); see docs/config.md.`,
  async run(argv, io) {
    const p = parseFlags(argv, FLAGS, 'demo');
    const { main } = await import('../../demo/main');
    await main([], { ...io.env, ...flagsToEnv(p.flags, FLAGS) });
    return 0;
  },
};
