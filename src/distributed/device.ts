// Which GPU a data-parallel process uses: torchrun's convention, one process per GPU, process LOCAL_RANK on GPU LOCAL_RANK.

/**
 * This process's device. Alone, the device as given; with several processes `cuda` becomes `cuda:LOCAL_RANK` (the
 * world's localRank, else its rank), as PyTorch scripts do with torch.cuda.set_device(local_rank). An explicit
 * `cuda:N` there would put every process on one GPU, which NCCL refuses: it is an error naming the flag.
 */
export function processDevice(device: string, world: { rank: number; size: number; localRank?: number }): string {
  if (world.size === 1 || !device.startsWith('cuda')) return device;
  if (device !== 'cuda') throw new RangeError(`--device ${device}: with several processes give --device cuda; process LOCAL_RANK then uses cuda:LOCAL_RANK`);
  return `cuda:${world.localRank ?? world.rank}`;
}
