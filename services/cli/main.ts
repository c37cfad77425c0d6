/** `trendcast <command>`: the one entry point for users (bin/trendcast runs this file with tsx). */
import { processIo, runCli } from './cli';

void runCli(process.argv.slice(2), processIo()).then((outcome) => {
  // a started service owns the process from here and exits on its own
  if (outcome !== 'running') process.exit(outcome);
});
