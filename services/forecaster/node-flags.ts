/**
 * Node (V8) flags the forecaster process runs with. They must be given on the command line (a
 * running isolate's young generation cannot be resized), so bin/trendcast (`start forecaster`),
 * deploy/docker/Dockerfile and docker-compose.yml repeat them, and test/unit/deploy/node-flags.test.ts
 * checks that they agree; the integration tests and bench/forecaster.ts start the forecaster with them.
 *
 * Why: a pass keeps about two batches alive (the next one's state being read, the last one's
 * messages being published) while it allocates each product's inputs, forecasts and Trend, and
 * with V8's default 16 MiB semi-spaces every scavenge copies those live batches again (with the
 * default, 50 scavenges of ~6 ms in 3 s of passes). With 128 MiB semi-spaces the same data is copied
 * a fraction as often: +12-20% products/s for +220 MiB RSS (BENCHMARKS.md "Young generation").
 * The order consumer gained nothing measurable from it and keeps the default.
 */
export const FORECASTER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=128'];
