import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type FileOps, writeFilesAtomically } from '../../src/io/atomic-write.js';

const listAll = (dir: string): string[] => (fs.readdirSync(dir, { recursive: true }) as string[]).sort();

describe('writeFilesAtomically', () => {
  it('leaves earlier results intact, and no temp files, when a write fails midway', () => {
    const dir = fs.mkdtempSync(join(tmpdir(), 'nodeport-sim-atomic-'));
    writeFilesAtomically(dir, [
      { path: 'runs.csv', content: 'old runs\n' },
      { path: 'summary.csv', content: 'old summary\n' },
      { path: 'charts/a.svg', content: '<svg>old</svg>' },
    ]);
    const before = listAll(dir);

    let writes = 0;
    const failing: FileOps = {
      ...fs,
      writeFileSync: (path, content) => {
        // The disk fills up on the third file, after two temp files were written in full.
        if (++writes === 3) {
          fs.writeFileSync(path, 'half a fi');
          throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
        }
        fs.writeFileSync(path, content);
      },
    };
    expect(() =>
      writeFilesAtomically(
        dir,
        [
          { path: 'runs.csv', content: 'new runs\n' },
          { path: 'summary.csv', content: 'new summary\n' },
          { path: 'charts/a.svg', content: '<svg>new</svg>' },
          { path: 'report.html', content: '<html>' },
        ],
        failing,
      ),
    ).toThrow(/ENOSPC/);

    expect(fs.readFileSync(join(dir, 'runs.csv'), 'utf8')).toBe('old runs\n');
    expect(fs.readFileSync(join(dir, 'summary.csv'), 'utf8')).toBe('old summary\n');
    expect(fs.readFileSync(join(dir, 'charts/a.svg'), 'utf8')).toBe('<svg>old</svg>');
    expect(listAll(dir)).toEqual(before);
  });

  it('replaces every file when all writes succeed', () => {
    const dir = fs.mkdtempSync(join(tmpdir(), 'nodeport-sim-atomic-'));
    writeFilesAtomically(dir, [{ path: 'runs.csv', content: 'old' }]);
    writeFilesAtomically(dir, [{ path: 'runs.csv', content: 'new' }, { path: 'x/y.bin', content: new Uint8Array([1, 2]) }]);
    expect(fs.readFileSync(join(dir, 'runs.csv'), 'utf8')).toBe('new');
    expect([...fs.readFileSync(join(dir, 'x/y.bin'))]).toEqual([1, 2]);
  });
});
