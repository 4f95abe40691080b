// The --device check every stage and the inference API make before any work.
import { processDevice } from '../../distributed/device.js';
import type { World } from '../../distributed/world.js';
import { cuda, parseDevice } from '../../tensor/index.js';

/**
 * Fails before any work, naming --device, when the device cannot be used: CUDA needs a CUDA build of libtorch and a
 * GPU this process can see, cuda:N a device N.
 */
export function checkDevice(device: string): void {
  const { type, index } = parseDevice(device, '--device');
  if (type === 'cpu') return;
  if (type !== 'cuda') throw new RangeError(`--device ${device}: only cpu, cuda and cuda:N are supported`);
  if (!cuda.isAvailable()) {
    throw new Error(`--device ${device}: no CUDA device is usable here (libtorch built without CUDA, or no GPU visible to this process); use --device cpu`);
  }
  const count = cuda.deviceCount();
  if (index !== null && index >= count) throw new RangeError(`--device ${device}: this machine has ${count} CUDA device(s), cuda:0 to cuda:${count - 1}`);
}

/** The device this process of a stage trains on (see processDevice), checked. */
export function stageDevice(device: string, world: Pick<World, 'rank' | 'size' | 'localRank'>): string {
  const mine = processDevice(device, world);
  checkDevice(mine);
  return mine;
}
