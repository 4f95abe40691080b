// `simclr eval`: top-1/top-5 of a checkpoint's classifier, a linear probe on frozen features, or kNN.
import { Option, type Command } from 'commander';
import { nonNegativeIntArg, positiveIntArg } from '../args.js';
import { interruptSignal } from '../interrupt.js';

export function registerEvaluate(program: Command): void {
  program.command('eval')
    .description('evaluate a checkpoint (file or run folder): classifier top-1/top-5, --linear probe, --knn')
    .argument('<checkpoint>', 'checkpoint .json / .safetensors or a run folder (its newest checkpoint)')
    .requiredOption('--data <spec>', 'fashion-mnist, cifar10:DIR, folder:DIR, idx:IMAGES,LABELS[,TEST_IMAGES,TEST_LABELS]')
    .addOption(new Option('--split <split>', 'the split scored').choices(['test', 'train']).default('test'))
    .option('--linear', 'linear probe on frozen encoder features (L-BFGS logistic regression)')
    .option('--linear-labels <spec>', "train the probe on a labelled subset: '1%', '10%', 'N-per-class' or FILE")
    .option('--knn', 'weighted kNN (cosine, k 200, temperature 0.1) on encoder features')
    .option('--knn-k <k>', 'neighbours', positiveIntArg('--knn-k'), 200)
    .option('--limit <n>', 'score only the first N images (0 = all)', nonNegativeIntArg('--limit'), 0)
    .option('--train-limit <n>', 'first N training images for the probe / kNN bank (0 = all)', nonNegativeIntArg('--train-limit'), 0)
    .option('--best', "from a run folder: its 'best' checkpoint")
    .option('--out <dir>', 'write summary.json there')
    .option('--threads <n>', 'intra-op threads', positiveIntArg('--threads', 1024))
    .option('--device <d>', 'cpu, cuda or cuda:N', 'cpu')
    .option('--skip-bad', 'leave out unreadable images and empty class folders (listed in a warning) instead of failing')
    .action(async (checkpoint: string, o) => {
      const signal = interruptSignal();
      // libtorch and the data loaders load only once the flags are valid, so a typo fails in a fraction of a second.
      const [{ evaluateCheckpoint }, { loadDataSpec }] = await Promise.all([import('../../pipeline/stages/evaluate.js'), import('../../data/spec.js')]);
      const summary = await evaluateCheckpoint(checkpoint, {
        data: o.skipBad ? await loadDataSpec(o.data, { skipBad: true }) : o.data, split: o.split, limit: o.limit, trainLimit: o.trainLimit, preferBest: o.best === true, out: o.out, threads: o.threads, device: o.device,
        linear: o.linear ? { labels: o.linearLabels } : false, knn: o.knn ? { k: o.knnK } : false,
        signal, onPhase: (message) => process.stderr.write(`[eval] ${message}\n`),
      });
      process.stdout.write(`${JSON.stringify(summary)}\n`);
    });
}
