import { open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { EmbeddedPostgresError } from './embedded-postgres-error.js';

export interface DataDirLock {
  release(): Promise<void>;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes `<dataDir>/hearth.lock` (holding our pid) so two Hearth processes
 * never share one embedded database. A lock whose process is gone is stale
 * and taken over.
 */
export async function acquireDataDirLock(dataDir: string): Promise<DataDirLock> {
  const path = join(dataDir, 'hearth.lock');
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const handle = await open(path, 'wx', 0o600);
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      let released = false;
      return {
        async release() {
          if (released) return;
          released = true;
          await rm(path, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number((await readFile(path, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder)) {
        throw new EmbeddedPostgresError(
          `the data dir ${dataDir} is in use by another Hearth (pid ${holder}); stop it or choose another data dir`,
        );
      }
      if (holder === process.pid) {
        throw new EmbeddedPostgresError(`the data dir ${dataDir} is already in use by this process`);
      }
      await rm(path, { force: true });
    }
  }
  throw new EmbeddedPostgresError(`could not lock the data dir ${dataDir}`);
}
