// The pipeline's floors stage: raw-pixel logistic regression and kNN with one run's labelled subset, on the same train
// and test images as that run, written as a run folder (config.json, summary.json) so the pipeline resumes past it.
import { performance } from 'node:perf_hooks';
import { readSubsetFile } from '../../data/subset.js';
import { singleProcess, type World } from '../../distributed/world.js';
import { ignoreEvents, type EventSink } from '../run/events.js';
import { FLOOR_VALIDATION_FRACTION, K_GRID, L2_GRID, pixelFloors, type PixelFloors } from './pixel_floors.js';
import { RunFolder } from '../run/run_folder.js';
import { prepareStage } from './stage_setup.js';
import type { TrainingConfig } from '../config/stage_config.js';
import { isAbortError, type StopSignal } from '../run/stop_signal.js';

export interface FloorsSummary extends PixelFloors {
  stage: 'floors';
  labels_file: string;
  wall_s: number;
  interrupted: boolean;
}

/** The floors stage's config.json: everything its figures depend on. */
export function floorsConfig(c: Pick<TrainingConfig, 'data' | 'trainLimit' | 'evalLimit' | 'threads'>, labelsFile: string, labelSeed: number): Record<string, unknown> {
  return {
    data: c.data, trainLimit: c.trainLimit, evalLimit: c.evalLimit, threads: c.threads, labels: labelsFile, labelSeed,
    holdoutFraction: FLOOR_VALIDATION_FRACTION, l2Grid: L2_GRID, kGrid: K_GRID,
  };
}

/**
 * Both floors for the labelled subset in `labelsFile` (a run's labels.txt) with the data settings of `c` (the run's
 * config: the same training and test images). A stop request returns an interrupted summary and writes nothing.
 */
export async function floorsStage(c: TrainingConfig, labelsFile: string, labelSeed: number, o: { out: string; emit?: EventSink; stop?: StopSignal; world?: World }): Promise<FloorsSummary | { interrupted: true }> {
  const emit = o.emit ?? ignoreEvents;
  const folder = RunFolder.open(o.out, { resume: true, readOnly: (o.world ?? singleProcess).rank !== 0 });
  const start = performance.now();
  try {
    const data = await prepareStage(c);
    if (!data.test) throw new Error(`floors: ${c.data} has no test split to score on`);
    const labelled = await readSubsetFile(labelsFile, data.train);
    emit({ type: 'info', stage: 'floors', message: `raw-pixel logistic regression and kNN on ${labelled.length} labelled images, scored on ${data.test.length} test images` });
    const floors = await pixelFloors(data.train, data.test, labelled, { seed: labelSeed, signal: o.stop?.signal });
    folder.writeJson('config.json', floorsConfig(c, labelsFile, labelSeed));
    const summary: FloorsSummary = { stage: 'floors', ...floors, labels_file: labelsFile, wall_s: (performance.now() - start) / 1000, interrupted: false };
    folder.writeJson('summary.json', summary);
    emit({ type: 'info', stage: 'floors', message: `logistic regression ${(100 * floors.logistic.top1).toFixed(1)}% (L2 ${floors.logistic.chosen}), ` +
      `kNN ${(100 * floors.knn.top1).toFixed(1)}% (k ${floors.knn.chosen}); ${floors.validation_images ? `chosen on ${floors.validation_images} held-out labelled images` : 'fixed settings (no class with 2 labelled images to hold out)'}` });
    return summary;
  } catch (err) {
    if (isAbortError(err) && o.stop?.requested) return { interrupted: true };
    throw err;
  }
}
