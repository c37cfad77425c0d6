/** How a failed Redis call is classified (shared/adapters/redis/guard.ts): retry it, or narrow it down to a message. */
import { pipelineCall, redisError } from '../../../shared/adapters/redis/guard';

/** An error as ioredis makes a reply of Redis (ReplyError) or a client-side failure (Error). */
function failure(message: string, name = 'Error'): Error {
  const e = new Error(message);
  e.name = name;
  return e;
}

test.each([
  ['Command timed out', 'Error'], // no reply in time: a network partition, say
  ['Connection is closed.', 'Error'],
  ['Reached the max retries per request limit (which is 3). Refer to "maxRetriesPerRequest" option for details.', 'MaxRetriesPerRequestError'],
  ["Socket timeout. Expecting data, but didn't receive any in 2000ms.", 'Error'],
  ['OOM command not allowed when used memory > \'maxmemory\'. script: abc, on @user_script:78.', 'ReplyError'],
])('%s is retriable', (message, name) => {
  const err = redisError(failure(message, name), 'apply_orders');
  expect(err).toMatchObject({ code: 'STORE_UNAVAILABLE', retriable: true });
  expect(err.message).toBe(`redis apply_orders failed: ${message}`);
});

test.each([
  ['ERR Error running script (call to f_abc): @user_script:12: bad argument', 'ReplyError'],
  ['WRONGTYPE Operation against a key holding the wrong kind of value', 'ReplyError'],
])('%s is permanent', (message, name) => {
  expect(redisError(failure(message, name), 'read')).toMatchObject({ code: 'HANDLER_FAILED', retriable: false });
});

test('a pipeline whose exec() resolves with a failed command fails with that command\'s error, classified', async () => {
  const replies: [Error | null, unknown][] = [[null, 1], [failure('Command timed out'), null], [null, 'OK']];
  await expect(pipelineCall(Promise.resolve(replies), 'touch')).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE', retriable: true, message: 'redis touch failed: Command timed out' });
  expect(await pipelineCall(Promise.resolve([[null, 1], [null, 'OK']]), 'touch')).toEqual([1, 'OK']);
  await expect(pipelineCall(Promise.reject(failure('Connection is closed.')), 'touch')).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
});
