// Worker for launch.test.ts: joins the world the launcher describes and prints the sum of the ranks.
import { initWorld } from '../../../src/distributed/world_c10d.js';
import { tensor } from '../../../src/tensor/index.js';

const world = initWorld();
const sum = world.allReduceSum_(tensor([world.rank])).item();
world.close();
console.log(`rank ${world.rank} of ${world.size}: sum of ranks ${sum}`);
