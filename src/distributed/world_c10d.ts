// A World backed by a c10d process group, and the entry point a command uses: initWorld() reads the torchrun
// environment and returns the single-process world when there is none.
import { ProcessGroup, type ProcessGroupOptions } from './process_group.js';
import { readDistributedEnv, type DistributedEnv } from './env.js';
import { singleProcess, type World } from './world.js';

export interface DistributedWorld extends World {
  /** Rank on this machine (device index for GPUs). */
  readonly localRank: number;
  /** The process group, or null for a single process. */
  readonly group: ProcessGroup | null;
  /** Waits for every rank, then closes the group; idempotent. */
  close(): void;
}

/** The World over an initialised process group. */
export function c10dWorld(pg: ProcessGroup, localRank = pg.rank): DistributedWorld {
  return {
    rank: pg.rank,
    size: pg.size,
    localRank,
    group: pg,
    allGather: (t) => pg.allGatherWithGrad(t),
    allReduceSum: (t) => pg.allReduceSum(t),
    allReduceSum_: (t) => pg.allReduce_(t, 'sum'),
    broadcast_: (t, root = 0) => pg.broadcast_(t, root),
    barrier: () => pg.barrier(),
    close: () => {
      if (pg.destroyed) return;
      pg.barrier();
      pg.destroy();
    },
  };
}

/** The world of one process (no group). */
export function localWorld(): DistributedWorld {
  return { ...singleProcess, localRank: 0, group: null, close: () => undefined };
}

/**
 * Joins the process group the environment describes (RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT, LOCAL_RANK), or
 * returns the single-process world when WORLD_SIZE is unset or 1. `options` override the environment's timeouts.
 */
export function initWorld(env: DistributedEnv | null = readDistributedEnv(), options: Partial<ProcessGroupOptions> = {}): DistributedWorld {
  if (!env || env.worldSize === 1) return localWorld();
  const pg = ProcessGroup.init({
    rank: env.rank, size: env.worldSize, masterAddr: env.masterAddr, masterPort: env.masterPort,
    ...(env.timeoutMs ? { timeoutMs: env.timeoutMs } : {}), ...(env.peerTimeoutMs ? { peerTimeoutMs: env.peerTimeoutMs } : {}),
    ...options,
  });
  return c10dWorld(pg, env.localRank);
}
