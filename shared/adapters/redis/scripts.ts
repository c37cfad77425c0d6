import * as fs from 'fs';
import * as path from 'path';
import type Redis from 'ioredis';

/**
 * Lua scripts are files named <name>-<numKeys>.lua, each registered once as a custom command, or
 * <name>-n.lua when the caller passes the number of keys first (a call over several products):
 * those are sent as prebuilt frames (resp.ts: FramedScript), not registered.
 */
export const SCRIPTS = ['apply-reviews-2', 'apply-listing-1', 'take-dirty-1', 'restock-commit-4', 'restock-ack-1', 'advance-checkpoint-1'] as const;
export const FRAMED_SCRIPTS = ['apply-orders-n', 'read-products-n'] as const;

export function scriptSource(file: (typeof SCRIPTS)[number] | (typeof FRAMED_SCRIPTS)[number]): string {
  return fs.readFileSync(path.join(__dirname, 'lua', `${file}.lua`), 'utf8');
}

export function registerScripts(redis: Redis): void {
  for (const file of SCRIPTS) {
    const m = /^(.*)-(\d+)$/.exec(file)!;
    const name = m[1].replace(/-(\w)/g, (_, c: string) => c.toUpperCase());
    redis.defineCommand(name, { numberOfKeys: Number(m[2]), lua: scriptSource(file) });
  }
}

/** The typed view of the commands registered above. */
export interface ScriptCommands {
  applyReviews(...args: (string | number | Buffer)[]): Promise<[number, number]>;
  applyListing(...args: (string | number | Buffer)[]): Promise<number>;
  takeDirty(key: string, maxScore: number, limit: number): Promise<string[]>;
  restockCommit(...args: (string | number)[]): Promise<[0] | [1, number, ...string[]]>;
  restockAck(key: string, ...entries: string[]): Promise<number>;
  /** advance-checkpoint-1: [1] when set, [0, current] ('' for none) when it was not `expected`. */
  advanceCheckpoint(key: string, field: string, expected: string, next: string): Promise<[1] | [0, string]>;
}

/** read-products-n: per product, the values of the snapshot's fields (snapshot.ts: SNAPSHOT_FIELDS) and the ring, null where missing. */
export type ReadProductsReply = (Buffer | null)[];
