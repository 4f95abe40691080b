// The bad-input table: for every command, inputs a user gets wrong (flags, numbers, data folders, files, checkpoints,
// outputs), each with the pattern its one-line error must contain. Fixtures are tiny files made in a temporary folder.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFinetuneCheckpoint, writePretrainCheckpoint } from '../pipeline/helpers.js';
import { makeImageFolder, writeCorrupt, writeIdxPair } from './make_images.js';

export interface Fixtures {
  root: string;
  /** folder:DIR with train/{a,b} and test/{a,b}: valid. */
  images: string;
  /** train/{a,b}, test/{a,b,zz}: a test class the training split lacks. */
  extraTestClass: string;
  /** a/ with one good and three corrupt images, b/ with one good. */
  corrupt: string;
  emptyClass: string;
  emptyImages: string;
  idx: { images: string; labels: string; truncated: string; shortLabels: string };
  labels: { duplicates: string; outOfRange: string };
  config: { badJson: string; unknownKey: string; epochsAndSteps: string };
  aFile: string;
  folderNamedJsonl: string;
  /** Run folders holding an untrained pretraining / fine-tuning checkpoint (Fashion-MNIST shape: 1 channel, 28 px). */
  pretrainCkpt: string;
  finetuneCkpt: string;
  badSidecar: string;
}

/** Where every fixture lives under `root` (no file access, so the case table exists before the files do). */
export function fixturePaths(root: string): Fixtures {
  const p = (...parts: string[]) => join(root, ...parts);
  return {
    root, images: p('images'), extraTestClass: p('extra'), corrupt: p('corrupt'), emptyClass: p('empty-class'), emptyImages: p('empty-images'),
    idx: { images: p('good-images.idx'), labels: p('good-labels.idx'), truncated: p('trunc-images.idx'), shortLabels: p('short-labels.idx') },
    labels: { duplicates: p('dups.txt'), outOfRange: p('range.txt') },
    config: { badJson: p('bad.json'), unknownKey: p('unknown.yaml'), epochsAndSteps: p('both.json') },
    aFile: p('a-file'), folderNamedJsonl: p('dir.jsonl'), pretrainCkpt: p('ckpt-pretrain'), finetuneCkpt: p('ckpt-finetune'),
    badSidecar: p('bad-sidecar.json'),
  };
}

/** Writes every fixture (about a second: a few 8-pixel PNGs, IDX files and two untrained checkpoints). */
export async function makeFixtures(f: Fixtures): Promise<void> {
  for (const split of ['train', 'test']) await makeImageFolder(join(f.images, split), ['a', 'b'], split === 'train' ? 3 : 2);
  await makeImageFolder(join(f.extraTestClass, 'train'), ['a', 'b'], 2);
  await makeImageFolder(join(f.extraTestClass, 'test'), ['a', 'b', 'zz'], 1);
  await makeImageFolder(f.corrupt, ['a', 'b'], 1);
  writeCorrupt(['bad1.png', 'bad2.png', 'bad3.jpg'].map((name) => join(f.corrupt, 'a', name)));
  await makeImageFolder(f.emptyClass, ['a'], 1);
  mkdirSync(join(f.emptyClass, 'b'));
  mkdirSync(f.emptyImages);
  writeIdxPair(f.root, 'good', 16, 28, 2);
  writeIdxPair(f.root, 'trunc', 16, 28, 2, 100);
  writeIdxPair(f.root, 'short', 10, 28, 2);
  writeFileSync(f.labels.duplicates, '0\n1\n0\n');
  writeFileSync(f.labels.outOfRange, '99999\n');
  writeFileSync(f.config.badJson, '{ "epochs": ');
  writeFileSync(f.config.unknownKey, 'learningrate: 0.1\n');
  writeFileSync(f.config.epochsAndSteps, '{ "epochs": 1, "steps": 2 }');
  writeFileSync(f.aFile, 'just a file');
  mkdirSync(f.folderNamedJsonl);
  writeFileSync(f.badSidecar, '{ not json');
  writePretrainCheckpoint(f.pretrainCkpt);
  writeFinetuneCheckpoint(f.finetuneCkpt, f.pretrainCkpt);
}

export interface BadInputCase {
  name: string;
  args: string[];
  /** The error output must match this (it names the flag, key, file, class or shape at fault). */
  culprit: RegExp;
  /** Exit code expected (default 1). */
  code?: number;
  /** A run folder or output that must not exist afterwards. */
  absent?: string;
}

/** Every case; `out(name)` is a fresh path per case that does not exist yet. */
export function badInputCases(f: Fixtures, out: (name: string) => string): BadInputCase[] {
  const folder = `folder:${f.images}`;
  const idx = `idx:${f.idx.images},${f.idx.labels}`;
  const idxSplits = `${idx},${f.idx.images},${f.idx.labels}`;
  const pre = (name: string, ...args: string[]) => ['pretrain', '--preset', 'tiny', '--threads', '1', '--out', out(name), ...args];
  const ft = (name: string, ...args: string[]) => ['finetune', '--preset', 'tiny', '--threads', '1', '--out', out(name), ...args];
  const dis = (name: string, ...args: string[]) => ['distill', '--preset', 'tiny', '--threads', '1', '--out', out(name), ...args];
  const predict = (...args: string[]) => ['predict', f.finetuneCkpt, '--images', join(f.images, 'test'), '--out', join(f.root, 'p.jsonl'), ...args];
  const embed = (...args: string[]) => ['embed', f.pretrainCkpt, '--images', join(f.images, 'test'), '--out', join(f.root, 'e.npy'), ...args];
  const grid = (...args: string[]) => ['show-augment', '--data', folder, '--out', join(f.root, 'grid.png'), ...args];
  const c = (name: string, args: string[], culprit: RegExp, extra: Partial<BadInputCase> = {}): BadInputCase => ({ name, args, culprit, ...extra });
  return [
    // pretrain: values, keys, presets, config files, data, run folders
    c('pretrain --epochs 1e12', pre('p-epochs', '--epochs', '1e12'), /epochs: must be <= 1000000/, { absent: out('p-epochs') }),
    c('pretrain --steps 0', pre('p-steps0', '--steps', '0'), /steps: /),
    c('pretrain --steps 1.5', pre('p-steps15', '--steps', '1.5'), /steps: /),
    c('pretrain --steps 2e9', pre('p-steps2e9', '--steps', '2e9'), /steps: must be <= 1000000000/),
    c('pretrain --batch-size abc', pre('p-bs-abc', '--batch-size', 'abc'), /--batch-size expects a number, got 'abc'/),
    c('pretrain --batch-size 1', pre('p-bs1', '--batch-size', '1'), /batchSize: batchSize must be at least 2/),
    c('pretrain --depth 17', pre('p-depth', '--depth', '17'), /depth: must be one of 18, 34, 50, 101, 152, 200/),
    c('pretrain --preset nope', ['pretrain', '--preset', 'nope', '--out', out('p-preset')], /unknown pretrain preset 'nope' \(known: tiny/),
    c('pretrain --data bogus:x', pre('p-data', '--data', 'bogus:x'), /data: data 'bogus:x': unknown kind 'bogus'/),
    c('pretrain --config missing', pre('p-cfg-missing', '--config', join(f.root, 'missing.yaml')), /missing\.yaml[\s\S]*cannot read config file/),
    c('pretrain --config invalid JSON', pre('p-cfg-json', '--config', f.config.badJson), /bad\.json[\s\S]*cannot parse/),
    c('pretrain --config unknown key', pre('p-cfg-key', '--config', f.config.unknownKey), /unknown key 'learningrate' \(did you mean 'learningRate'\?\)/),
    c('pretrain --config epochs and steps', pre('p-cfg-both', '--config', f.config.epochsAndSteps), /both\.json[\s\S]*epochs and steps are both given/),
    c('pretrain --epochs and --steps', pre('p-both', '--epochs', '1', '--steps', '2'), /epochs and steps are both given/),
    c('pretrain --threads 0', pre('p-threads', '--threads', '0'), /threads: /),
    c('pretrain --temperature -1', pre('p-temp', '--temperature', '-1'), /temperature: /),
    c('pretrain --view-size 2', pre('p-view', '--view-size', '2'), /viewSize: /),
    c('pretrain --memory-size 1e12', pre('p-mem', '--memory-size', '1e12'), /memorySize: /),
    c('pretrain --learning-rate NaN', pre('p-lr', '--learning-rate', 'NaN'), /--learning-rate expects a number, got 'NaN'/),
    c('pretrain without --out', ['pretrain', '--preset', 'tiny'], /required option '--out <dir>'/),
    c('pretrain --bogus-flag', pre('p-flag', '--bogus-flag', '1'), /unknown option '--bogus-flag'/),
    c('pretrain --out is a file', ['pretrain', '--preset', 'tiny', '--out', f.aFile], /run folder .*a-file is an existing file, not a folder/),
    c('pretrain --out under a file', ['pretrain', '--preset', 'tiny', '--out', join(f.aFile, 'run')], /a-file is a file, not a folder/),
    c('pretrain --optimizer adam', pre('p-opt', '--optimizer', 'adam'), /--optimizer.*'adam' is invalid/),
    c('pretrain missing folder', pre('p-nodir', '--data', `folder:${join(f.root, 'nowhere')}`), /nowhere: cannot list image folder/, { absent: out('p-nodir') }),
    c('pretrain corrupt images', pre('p-corrupt', '--data', `folder:${f.corrupt}`), /3 unreadable images[\s\S]*bad1\.png[\s\S]*bad2\.png[\s\S]*bad3\.jpg/, { absent: out('p-corrupt') }),
    c('pretrain empty class folder', pre('p-emptyclass', '--data', `folder:${f.emptyClass}`), /empty-class\/b: empty class folder/, { absent: out('p-emptyclass') }),
    c('pretrain extra test class', pre('p-extra', '--data', `folder:${f.extraTestClass}`), /extra\/test: class folder\(s\) 'zz' not among the classes of .*extra\/train \(a, b\)/, { absent: out('p-extra') }),
    c('pretrain truncated idx', pre('p-idx-trunc', '--data', `idx:${f.idx.truncated},${f.idx.labels}`), /trunc-images\.idx: IDX file .*need 12544 bytes of data, found 12444/),
    c('pretrain idx label count', pre('p-idx-short', '--data', `idx:${f.idx.images},${f.idx.shortLabels}`), /short-labels\.idx: 10 labels for 16 images/),
    // finetune
    c('finetune without from or depth', ft('f-arch'), /give 'from' \(a pretraining checkpoint\) or 'depth'/),
    c('finetune --labels 0%', ft('f-0pct', '--depth', '18', '--labels', '0%'), /labels: label subset '0%': the percentage must be in \(0, 100\]/),
    c('finetune --fine-tune-after-block 9', ft('f-block', '--depth', '18', '--fine-tune-after-block', '9'), /fineTuneAfterBlock: /),
    c('finetune duplicate label indices', ft('f-dups', '--depth', '18', '--data', folder, '--labels', `file:${f.labels.duplicates}`), /dups\.txt: line 3: duplicate index 0 \(already listed on line 1\)/, { absent: out('f-dups') }),
    c('finetune label index out of range', ft('f-range', '--depth', '18', '--data', folder, '--labels', `file:${f.labels.outOfRange}`), /range\.txt: line 1: index 99999 out of range \[0, 6\)/),
    c('finetune --from missing', ft('f-from', '--from', join(f.root, 'no-ckpt'), '--data', folder), /checkpoint not found: .*no-ckpt/, { absent: out('f-from') }),
    c('finetune --from with --depth', ft('f-from-depth', '--from', f.pretrainCkpt, '--depth', '18'), /depth: the architecture comes from the checkpoint/),
    c('finetune unlabeled data', ft('f-unlab', '--depth', '18', '--data', `unlabeled:${join(f.images, 'train')}`), /is unlabeled: this stage needs class labels/),
    c('finetune channel mismatch', ft('f-channels', '--from', f.pretrainCkpt, '--data', folder), /takes 1-channel images but .* has 3 channel\(s\)/),
    // distill
    c('distill without teacher', dis('d-teacher'), /teacher: teacher is required/),
    c('distill --teacher missing', dis('d-noteacher', '--teacher', join(f.root, 'no-teacher'), '--data', idx), /checkpoint not found: .*no-teacher/, { absent: out('d-noteacher') }),
    c('distill from a pretraining checkpoint', dis('d-pretrain', '--teacher', f.pretrainCkpt, '--data', idx), /is a pretrain checkpoint.*distill from a fine-tuned checkpoint/),
    c('distill --alpha without labels', dis('d-alpha', '--teacher', f.finetuneCkpt, '--alpha', '0.5'), /labels: alpha > 0 adds a supervised loss/),
    c('distill --temperature 0', dis('d-temp', '--teacher', f.finetuneCkpt, '--temperature', '0'), /temperature: /),
    c('distill --teacher-checkpoint worst', dis('d-which', '--teacher', f.finetuneCkpt, '--teacher-checkpoint', 'worst'), /--teacher-checkpoint.*'worst' is invalid/),
    c('distill teacher/data class mismatch', dis('d-classes', '--teacher', f.finetuneCkpt, '--data', idx), /predicts 10 classes but idx\/train has 2/),
    // eval
    c('eval --knn-k 0', ['eval', f.finetuneCkpt, '--data', idx, '--knn', '--knn-k', '0'], /--knn-k must be >= 1, got 0/),
    c('eval --limit -1', ['eval', f.finetuneCkpt, '--data', idx, '--limit', '-1'], /--limit must be >= 0, got -1/),
    c('eval --train-limit 1.5', ['eval', f.finetuneCkpt, '--data', idx, '--train-limit', '1.5'], /--train-limit must be a whole number, got 1\.5/),
    c('eval --split dev', ['eval', f.finetuneCkpt, '--data', idx, '--split', 'dev'], /--split.*'dev' is invalid/),
    c('eval missing checkpoint', ['eval', join(f.root, 'no-ckpt'), '--data', idxSplits], /checkpoint not found: .*no-ckpt/),
    c('eval unreadable sidecar', ['eval', f.badSidecar, '--data', idxSplits], /bad-sidecar\.json: cannot read sidecar/),
    c('eval corrupt images', ['eval', f.finetuneCkpt, '--data', `folder:${f.corrupt}`], /3 unreadable images[\s\S]*bad1\.png[\s\S]*bad3\.jpg/),
    // predict / embed
    c('predict --batch-size 0', predict('--batch-size', '0'), /--batch-size must be >= 1, got 0/),
    c('predict --batch-size -1', predict('--batch-size', '-1'), /--batch-size must be >= 1, got -1/),
    c('predict --batch-size 1.5', predict('--batch-size', '1.5'), /--batch-size must be a whole number, got 1\.5/),
    c('predict --batch-size abc', predict('--batch-size', 'abc'), /--batch-size expects a number, got 'abc'/),
    c('embed --batch-size 0', embed('--batch-size', '0'), /--batch-size must be >= 1, got 0/),
    c('embed --batch-size -1', embed('--batch-size', '-1'), /--batch-size must be >= 1/),
    c('embed --feature x', embed('--feature', 'x'), /--feature 'x': expected h, z or a projection layer number/),
    c('predict --out .csv', ['predict', f.finetuneCkpt, '--images', f.images, '--out', join(f.root, 'p.csv')], /p\.csv: unknown format; name it \.npy/),
    c('predict --out under a file', ['predict', f.finetuneCkpt, '--images', f.images, '--out', join(f.aFile, 'p.jsonl')], /cannot write output .*a-file\/p\.jsonl: .*a-file is a file, not a folder/),
    c('predict --out is a folder', ['predict', f.finetuneCkpt, '--images', f.images, '--out', f.folderNamedJsonl], /dir\.jsonl is a folder: give a file name/),
    c('predict missing checkpoint', ['predict', join(f.root, 'no-ckpt'), '--images', f.images, '--out', join(f.root, 'pm.jsonl')], /checkpoint not found: .*no-ckpt/),
    c('predict corrupt images', ['predict', f.finetuneCkpt, '--images', f.corrupt, '--out', join(f.root, 'pc.jsonl')], /3 unreadable images[\s\S]*bad2\.png/),
    c('predict empty images folder', ['predict', f.finetuneCkpt, '--images', f.emptyImages, '--out', join(f.root, 'pe.jsonl')], /empty-images: no images found/),
    // pipeline
    c('pipeline --preset nope', ['pipeline', '--preset', 'nope', '--out', out('pl-preset')], /--preset 'nope': known plans are/),
    c('pipeline --threads 0', ['pipeline', '--preset', 'tiny', '--threads', '0', '--out', out('pl-threads')], /--threads must be >= 1/),
    c('pipeline --seed -3', ['pipeline', '--preset', 'tiny', '--seed', '-3', '--out', out('pl-seed')], /--seed must be >= 0/),
    c('pipeline --data bogus:x', ['pipeline', '--preset', 'tiny', '--data', 'bogus:x', '--out', out('pl-data')], /unknown kind 'bogus'/, { absent: out('pl-data') }),
    c('pipeline missing folder', ['pipeline', '--preset', 'tiny', '--threads', '1', '--data', `folder:${join(f.root, 'nowhere')}`, '--out', out('pl-nodir')], /nowhere: cannot list image folder/, { absent: out('pl-nodir') }),
    // summary
    c('summary --arch resnet17', ['summary', '--arch', 'resnet17'], /--arch 'resnet17': expected resnet18/),
    c('summary --width 0', ['summary', '--width', '0'], /--width must be > 0, got 0/),
    c('summary --sk 1', ['summary', '--sk', '1'], /--sk must be < 1, got 1/),
    c('summary --num-classes abc', ['summary', '--num-classes', 'abc'], /--num-classes expects a number, got 'abc'/),
    c('summary --proj-layers 1.5', ['summary', '--proj-layers', '1.5'], /--proj-layers must be a whole number/),
    // show-augment
    c('show-augment --n 0', grid('--n', '0'), /--n must be >= 1, got 0/),
    c('show-augment --crop-min-area 0', grid('--crop-min-area', '0'), /--crop-min-area must be > 0/),
    c('show-augment --color-strength -1', grid('--color-strength', '-1'), /--color-strength must be >= 0/),
    c('show-augment --data bogus', ['show-augment', '--data', 'bogus', '--out', join(f.root, 'g.png')], /data 'bogus': unknown kind/),
    c('show-augment --out under a file', ['show-augment', '--data', folder, '--out', join(f.aFile, 'g.png')], /a-file is a file, not a folder/),
    // launch and the program itself
    c('launch --nproc 0', ['launch', '--nproc', '0', '--', 'summary'], /--nproc must be >= 1, got 0/),
    c('launch --nproc abc', ['launch', '--nproc', 'abc', '--', 'summary'], /--nproc expects a number, got 'abc'/),
    c('launch --threads-per-proc 0', ['launch', '--nproc', '1', '--threads-per-proc', '0', '--', 'summary'], /--threads-per-proc must be >= 1/),
    c('launch --port 70000', ['launch', '--nproc', '1', '--port', '70000', '--', 'summary'], /--port must be <= 65535/),
    c('unknown command', ['pretrian'], /unknown command 'pretrian'/),
  ];
}
