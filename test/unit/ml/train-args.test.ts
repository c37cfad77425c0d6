import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { defaultDataFile, parseTrainArgs } from '../../../services/train/handler';

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
  it('takes the development file when it is beside the checkout, else the bundled sample (both cases, whatever this machine has)', () => {
    const withDev = fs.mkdtempSync(path.join(os.tmpdir(), 'tc-train-'));
    const repo = path.join(withDev, 'repo');
    fs.mkdirSync(path.join(withDev, 'shared', 'data', 'online-retail'), { recursive: true });
    fs.writeFileSync(path.join(withDev, 'shared', 'data', 'online-retail', 'online_retail_dev.csv.gz'), '');
    expect(defaultDataFile(repo)).toBe(path.join(withDev, 'shared', 'data', 'online-retail', 'online_retail_dev.csv.gz'));
    const bare = fs.mkdtempSync(path.join(os.tmpdir(), 'tc-train-'));
    expect(defaultDataFile(path.join(bare, 'repo'))).toBe(path.join(bare, 'repo', 'test', 'fixtures', 'online-retail', 'sample.csv'));
    fs.rmSync(withDev, { recursive: true });
    fs.rmSync(bare, { recursive: true });
  });
  it('names the bad argument', () => {
    expect(() => parseTrainArgs(['--epochs', '-1'])).toThrow(/--epochs must be a non-negative integer/);
    expect(() => parseTrainArgs(['--origin', '2011-13-45x'])).toThrow(/2011-13-45x/);
    expect(() => parseTrainArgs(['--bogus'])).toThrow(/unknown argument "--bogus"/);
    expect(() => parseTrainArgs(['--data'])).toThrow(/--data needs a value/);
  });
});
