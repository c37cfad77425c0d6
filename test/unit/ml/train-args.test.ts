import { parseTrainArgs } from '../../../services/train/handler';

describe('train arguments', () => {
  it('parses every flag', () => {
    const a = parseTrainArgs(['--data', 'x.csv', '--out', 'arts', '--origin', '2011-11-06', '--epochs', '3', '--seed', '9', '--no-text', '--no-progress']);
    expect(a).toEqual({ data: 'x.csv', out: 'arts', origin: '2011-11-06', epochs: 3, seed: 9, useText: false, progress: false });
  });
  it('defaults to the artifacts folder, text on, and an existing data file', () => {
    const a = parseTrainArgs([]);
    expect(a).toMatchObject({ out: 'artifacts', useText: true, progress: true });
    expect(a.data).toMatch(/online_retail_dev\.csv\.gz$|sample\.csv$/);
  });
  it('names the bad argument', () => {
    expect(() => parseTrainArgs(['--epochs', '-1'])).toThrow(/--epochs must be a non-negative integer/);
    expect(() => parseTrainArgs(['--origin', '2011-13-45x'])).toThrow(/2011-13-45x/);
    expect(() => parseTrainArgs(['--bogus'])).toThrow(/unknown argument "--bogus"/);
    expect(() => parseTrainArgs(['--data'])).toThrow(/--data needs a value/);
  });
});
