/** Script flags become the variables they stand for, so they go through the same config checks. */
import { envFromFlags } from '../../../shared/config/flags';
import { ConfigError } from '../../../shared/errors';

const TABLE = { '--file': { env: 'F' }, '--speed': { env: 'S' } };

test('--flag value and --flag=value both set the variable; the last one given wins', () => {
  expect(envFromFlags(['--file', 'a.csv', '--speed=0'], TABLE)).toEqual({ F: 'a.csv', S: '0' });
  expect(envFromFlags(['--file', 'a.csv', '--file=b=c.csv'], TABLE)).toEqual({ F: 'b=c.csv' });
  // a missing value is the empty string, which the variable's own check then refuses or defaults
  expect(envFromFlags(['--speed'], TABLE)).toEqual({ S: '' });
});

test('an unknown flag is a configuration error that names it and lists the known ones', () => {
  expect(() => envFromFlags(['--fast', '1'], TABLE)).toThrow(ConfigError);
  expect(() => envFromFlags(['--fast', '1'], TABLE)).toThrow('invalid configuration --fast: unknown option (known: --file, --speed)');
  expect(() => envFromFlags(['a.csv'], TABLE)).toThrow(/invalid configuration a.csv: unknown option/);
});
