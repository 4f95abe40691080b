// Data-parallel training on c10d (PyTorch's distributed engine): worlds, process groups, the torchrun environment,
// DataParallel (broadcast, synchronised BN, bucketed gradient averaging, loader shards) and the local launcher.
export { singleProcess, type World } from './world.js';
export { ProcessGroup, type ProcessGroupOptions, type ReduceOp } from './process_group.js';
export { readDistributedEnv, type DistributedEnv } from './env.js';
export { processDevice } from './device.js';
export { c10dWorld, initWorld, localWorld, type DistributedWorld } from './world_c10d.js';
export { DataParallel, buckets, type DataParallelOptions } from './data_parallel.js';
export { freePort, launch, type LaunchOptions, type LaunchResult } from './launch.js';
