/** `npx tsx services/train/main.ts [--data FILE] [--out artifacts] [--origin YYYY-MM-DD] [--epochs N] [--no-text]` */
import { parseConfig } from '../../shared/config/spec';
import { embeddingSpec, serviceSpec } from '../../shared/config/common';
import { runOnce } from '../../shared/adapters/main';
import { createLogger, LogLevel } from '../../shared/log';
import { tfjsSpec } from '../../shared/ml/backend';
import { parseTrainArgs, runTrain } from './handler';

async function main(): Promise<void> {
  const env = parseConfig({ ...tfjsSpec, ...embeddingSpec, LOG_LEVEL: serviceSpec.LOG_LEVEL });
  const log = createLogger('train', env.LOG_LEVEL as LogLevel);
  const result = await runTrain(parseTrainArgs(process.argv.slice(2)), env, log);
  process.stdout.write(JSON.stringify(result) + '\n');
}

runOnce('train', main);
