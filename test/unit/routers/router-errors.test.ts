import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '@cutover/kit';
import { FileRouter } from '@cutover/routers';

describe('router errors a user must fix', () => {
  it('reports a weights file that is not JSON, or lacks the weights, as a configuration error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cutover-router-errors-'));
    const names = { stable: 'blue', candidate: 'green' };
    writeFileSync(join(dir, 'bad.json'), 'blue: 90\n');
    await expect(new FileRouter(join(dir, 'bad.json'), names).read()).rejects.toThrow(ConfigError);
    writeFileSync(join(dir, 'other.json'), '{"red": 100}');
    const error = await new FileRouter(join(dir, 'other.json'), names)
      .read()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect(String(error)).toContain('expected numbers for "blue" and "green"');
  });
});
