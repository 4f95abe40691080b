// The torchrun environment contract: RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT, so cluster launch
// scripts carry over. Reference: torch/distributed/rendezvous.py (_env_rendezvous_handler).

export interface DistributedEnv {
  rank: number;
  worldSize: number;
  /** Rank on this machine (which GPU to use); defaults to RANK. */
  localRank: number;
  masterAddr: string;
  masterPort: number;
  /** SIMCLR_DIST_TIMEOUT_S: longest wait for one collective or the rendezvous. */
  timeoutMs?: number;
  /** SIMCLR_PEER_TIMEOUT_S: silence after which a peer is declared dead. */
  peerTimeoutMs?: number;
}

type Env = Record<string, string | undefined>;

function intVar(env: Env, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = env[name];
  const value = Number(raw);
  if (raw === undefined || raw.trim() === '' || !Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`environment: ${name} must be an integer in [${min}, ${max}], got ${raw === undefined ? 'nothing' : `'${raw}'`}`);
  }
  return value;
}

function secondsVar(env: Env, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!(value > 0)) throw new RangeError(`environment: ${name} must be a positive number of seconds, got '${raw}'`);
  return Math.round(value * 1000);
}

/** The distributed settings in `env`, or null when WORLD_SIZE and RANK are both unset (a plain single-process run). */
export function readDistributedEnv(env: Env = process.env): DistributedEnv | null {
  if (env.WORLD_SIZE === undefined && env.RANK === undefined) return null;
  const worldSize = intVar(env, 'WORLD_SIZE', 1);
  const rank = intVar(env, 'RANK', 0, worldSize - 1);
  const localRank = env.LOCAL_RANK === undefined ? rank : intVar(env, 'LOCAL_RANK', 0);
  const masterAddr = env.MASTER_ADDR || '127.0.0.1';
  if (worldSize > 1 && env.MASTER_PORT === undefined) throw new RangeError('environment: MASTER_PORT is required when WORLD_SIZE > 1 (the port of the rendezvous store on rank 0)');
  const masterPort = env.MASTER_PORT === undefined ? 29500 : intVar(env, 'MASTER_PORT', 1, 65535);
  return {
    rank, worldSize, localRank, masterAddr, masterPort,
    timeoutMs: secondsVar(env, 'SIMCLR_DIST_TIMEOUT_S'), peerTimeoutMs: secondsVar(env, 'SIMCLR_PEER_TIMEOUT_S'),
  };
}
