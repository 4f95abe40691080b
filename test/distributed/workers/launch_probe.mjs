// Worker for launch.test.ts (plain JavaScript, starts fast): prints what the launcher gave it, then behaves as
// argv[2] says: 'ok' exits 0, 'fail-rank-1' makes rank 1 exit 3 while the others wait forever.
const { RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT, OMP_NUM_THREADS } = process.env;
console.log(JSON.stringify({ RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT, OMP_NUM_THREADS, args: process.argv.slice(2) }));
console.error(`to stderr from ${RANK}`);
if (process.argv[2] === 'fail-rank-1') {
  if (RANK === '1') setTimeout(() => process.exit(3), 100);
  else setInterval(() => {}, 1000);
}
