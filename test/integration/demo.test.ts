/** The README's first command: the embedded default on the bundled sample, as a user runs it. */
import { runToEnd } from './support/services';

test('the embedded demo replays the sample and prints the strongest rising and falling trends', async () => {
  const { code, stdout, stderr } = await runToEnd('services/demo/main.ts', [], {});
  expect({ code, stderr: code === 0 ? '' : stderr }).toEqual({ code: 0, stderr: '' });
  const [, orders, listings] = /(\d+) order and (\d+) listing events/.exec(stdout)!.map(Number);
  expect(orders).toBeGreaterThan(10_000);
  expect(listings).toBeGreaterThan(100);
  expect(stdout).toMatch(/0 dead-lettered/);
  for (const section of ['Strongest rising trends:', 'Strongest falling trends:']) {
    const block = stdout.split(section)[1].split('\n\n')[0].trim().split('\n').slice(1);
    expect(block.length).toBeGreaterThanOrEqual(5);
    // each row: a product code of the sample, its title, then figures
    for (const row of block) expect(row).toMatch(/^\s*\d{5}[A-Z]{0,2}\s+\S.*\d+\.\d%/);
  }
});
