/**
 * Node (V8) flags the forecaster process runs with. They must be given on the command line (a
 * running isolate's young generation cannot be resized), so bin/trendcast (`start forecaster`),
 * deploy/docker/Dockerfile and docker-compose.yml repeat them, and test/unit/deploy/node-flags.test.ts
 * checks that they agree; the integration tests and bench/forecaster.ts start the forecaster with them.
 *
 * Why: a pass keeps a few batches alive at once (those read ahead, the one being forecast, the
 * messages being published) while it allocates each product's inputs, forecasts and Trend, and with
 * V8's default 16 MiB semi-spaces every scavenge copies what is alive again. With 64 MiB semi-spaces
 * there are a quarter as many scavenges. Session 5 tried 128 MiB and dropped it (no reliable gain
 * then, when the pass kept its trends until published); since session 11 less survives a scavenge,
 * and 64 MiB was faster in four of five alternating pairs (medians 5,163 against 4,663 products/s)
 * for ~100 MiB more RSS (BENCHMARKS.md "Session 11").
 * The order consumer gained nothing measurable from larger semi-spaces and keeps the default.
 *
 * --single-threaded-gc: V8's parallel scavenges and concurrent marking run on its 4 helper threads,
 * but on 2 cores the main thread and the LSTM thread already keep both busy, so the helpers only
 * compete (and synchronise): ~0.25 s of helper CPU per pass of 3,044 products. Doing that work on
 * the allocating thread costs it ~0.1 s more and saves ~0.15 s of CPU per pass: faster in 6 of 7
 * alternating pairs, medians 4,419 against 4,179 products/s (BENCHMARKS.md worker "Session 17").
 * On a machine with idle cores the parallel collector shortens the pauses instead: set
 * FORECASTER_NODE_FLAGS there without it.
 */
export const FORECASTER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=64', '--single-threaded-gc'];
