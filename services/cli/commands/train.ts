import * as path from 'path';
import { flagHelp, parseFlags, type FlagDefs } from '../args';
import { nodeTs, ROOT, runChild } from '../child';
import type { Command } from '../command';

/** The flags services/train/handler.ts parseTrainArgs accepts (test/unit/cli keeps the two in step). */
export const TRAIN_FLAGS: FlagDefs = {
  '--data': { value: true, arg: 'FILE', help: "Online Retail CSV; default the repository's ../shared/data/online-retail/online_retail_dev.csv.gz when present, else the bundled sample" },
  '--out': { value: true, arg: 'DIR', help: "artifact folder (default the repository's artifacts/); each run writes a new version" },
  '--origin': { value: true, arg: 'YYYY-MM-DD', help: "forecast origin: train on data up to this day (default the file's last day)" },
  '--epochs': { value: true, arg: 'N', help: 'training epochs' },
  '--seed': { value: true, arg: 'N', help: 'random seed' },
  '--no-text': { value: false, help: 'train without the listing-text embeddings' },
  '--no-progress': { value: false, help: 'no progress bar' },
};

export const train: Command = {
  name: 'train',
  summary: 'train the global LSTM on an Online Retail CSV and write a versioned model artifact',
  help: () => `usage: trendcast train [options]

Builds every established product's series at the origin, embeds the listing texts with the sentence
model, fits the global LSTM (p10/p50/p90, rating head) and writes a new artifact version; a progress
bar shows the epochs. Prints the result as JSON.

${flagHelp(TRAIN_FLAGS)}

Also read from the environment: TFJS_BACKEND, EMBEDDING_MODEL_ID, EMBEDDING_MODEL_DIR, LOG_LEVEL.`,
  async run(argv, io) {
    const p = parseFlags(argv, TRAIN_FLAGS, 'train');
    // train resolves its defaults against its working directory: run it in the repository, with the
    // user's relative paths made absolute first (and --flag=value spelled as train expects)
    const args = Object.entries(p.flags).flatMap(([f, v]) => (v === true ? [f] : [f, f === '--data' || f === '--out' ? path.resolve(v) : v]));
    const [cmd, full] = nodeTs('services/train/main.ts', args);
    return runChild(cmd, full, io.env, ROOT);
  },
};
