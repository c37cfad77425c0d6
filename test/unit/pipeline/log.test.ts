import { repeatFilter } from '../../../shared/log';

describe('repeatFilter', () => {
  test('writes a message once per window and then says how many of it were dropped', () => {
    const f = repeatFilter(1000);
    expect(f('a', 0)).toBe(0);
    expect(f('a', 10)).toBeNull();
    expect(f('b', 20)).toBe(0); // another message has its own window
    expect(f('a', 999)).toBeNull();
    expect(f('a', 1000)).toBe(2); // the window passed: written, with the two dropped since
    expect(f('a', 1500)).toBeNull();
    expect(f('a', 2000)).toBe(1);
  });

  test('remembers at most maxKeys messages (then starts afresh), so it cannot grow without bound', () => {
    const f = repeatFilter(1000, 2);
    expect(f('a', 0)).toBe(0);
    expect(f('b', 0)).toBe(0);
    expect(f('c', 0)).toBe(0); // a third key: the memory is cleared
    expect(f('a', 1)).toBe(0); // so 'a' is new again
    expect(f('c', 2)).toBeNull();
  });
});
