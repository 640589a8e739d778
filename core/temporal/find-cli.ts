import { accessSync, constants } from 'node:fs';
import path from 'node:path';

/** The Temporal CLI binary: TEMPORAL_CLI_PATH first, then `temporal` on PATH; undefined lets the SDK download it. */
export function findTemporalCli(explicit?: string, pathEnv = process.env.PATH ?? ''): string | undefined {
  if (explicit) {
    accessSync(explicit, constants.X_OK);
    return explicit;
  }
  for (const dir of pathEnv.split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, 'temporal');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this folder
    }
  }
  return undefined;
}
