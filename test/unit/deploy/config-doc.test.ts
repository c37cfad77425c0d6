import * as fs from 'fs';
import { CONFIG_DOC, renderConfigDoc, serviceSpecs } from '../../../scripts/gen-config-doc';

describe('docs/config.md', () => {
  test('is what scripts/gen-config-doc.ts renders from the specs (run it after changing a spec)', () => {
    expect(fs.readFileSync(CONFIG_DOC, 'utf8')).toBe(renderConfigDoc());
  });

  test('documents every variable of every service, once per service section', () => {
    const doc = fs.readFileSync(CONFIG_DOC, 'utf8');
    const sections = doc.split(/^## /m).slice(1);
    const byName = new Map(sections.map((s) => [s.split('\n')[0].trim(), s]));
    for (const [service, { spec }] of Object.entries(serviceSpecs())) {
      const section = byName.get(service);
      expect(section).toBeDefined();
      const rows = section!.split('\n').filter((l) => l.startsWith('| `')).map((l) => l.split('`')[1]);
      expect(rows).toEqual(Object.keys(spec));
    }
  });

  test('defaults do not depend on the folder the repository is cloned into', () => {
    expect(renderConfigDoc()).not.toContain(process.cwd());
  });
});
