/*
 * Entry of a worker thread whose code is TypeScript: node:worker_threads does not inherit the tsx
 * loader that the services run under (a .ts entry fails with "Unknown file extension"), so this
 * plain CommonJS file registers tsx in the thread, then loads workerData.entry.
 */
const { workerData } = require('worker_threads');
if (/\.ts$/.test(workerData.entry)) require('tsx/cjs/api').register();
require(workerData.entry);
