// `simclr eval`: top-1/top-5 of a checkpoint's classifier, a linear probe on frozen features, or kNN.
import type { Command } from 'commander';
import { evaluateCheckpoint } from '../../pipeline/evaluate.js';
import { numberArg } from '../args.js';

export function registerEvaluate(program: Command): void {
  program.command('eval')
    .description('evaluate a checkpoint (file or run folder): classifier top-1/top-5, --linear probe, --knn')
    .argument('<checkpoint>', 'checkpoint .json / .safetensors or a run folder (its newest checkpoint)')
    .requiredOption('--data <spec>', 'fashion-mnist, cifar10:DIR, folder:DIR, idx:IMAGES,LABELS[,TEST_IMAGES,TEST_LABELS]')
    .option('--split <split>', 'test or train', 'test')
    .option('--linear', 'linear probe on frozen encoder features (L-BFGS logistic regression)')
    .option('--linear-labels <spec>', "train the probe on a labelled subset: '1%', '10%', 'N-per-class' or FILE")
    .option('--knn', 'weighted kNN (cosine, k 200, temperature 0.1) on encoder features')
    .option('--knn-k <k>', 'neighbours', numberArg('--knn-k'), 200)
    .option('--limit <n>', 'score only the first N images (0 = all)', numberArg('--limit'), 0)
    .option('--train-limit <n>', 'first N training images for the probe / kNN bank (0 = all)', numberArg('--train-limit'), 0)
    .option('--best', "from a run folder: its 'best' checkpoint")
    .option('--out <dir>', 'write summary.json there')
    .option('--threads <n>', 'intra-op threads', numberArg('--threads'))
    .action(async (checkpoint: string, o) => {
      const summary = await evaluateCheckpoint(checkpoint, {
        data: o.data, split: o.split, limit: o.limit, trainLimit: o.trainLimit, preferBest: o.best === true, out: o.out, threads: o.threads,
        linear: o.linear ? { labels: o.linearLabels } : false, knn: o.knn ? { k: o.knnK } : false,
      });
      process.stdout.write(`${JSON.stringify(summary)}\n`);
    });
}
