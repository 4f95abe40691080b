// The report's verdict: what the unlabelled data bought at each label fraction (every SimCLRv2 row against the
// supervised baseline, lowest to highest) and, when the plan states goals, each goal met or not with the measured
// figure beside it, so a reader of the report alone sees a miss as plainly as a win.
import { cellOf, pct, type ResultRow } from '../../report/results.js';

/** What a plan sets out to show, checked against its own measured table. Accuracies are fractions (0.85 = 85 %). */
export interface PlanGoals {
  /** Per label fraction: the best SimCLRv2 row's mean test top-1 over the label subsets reaches this. */
  bestTop1?: Record<string, number>;
  /** At every fraction the smaller student's mean top-1 is at most this far under its teacher's (the fine-tuned model). */
  smallStudentGap?: number;
  /** The whole pipeline, every fraction and label subset, within this many minutes of wall time. */
  totalMinutes?: number;
}

/** The table's method names the verdict compares. */
export interface VerdictMethods {
  supervised: string;
  finetune: string;
  /** Every SimCLRv2 row: fine-tuned, each round of self-distillation, the smaller student. */
  simclr: string[];
  small: string;
}

/** Means of test accuracies are not exact in binary: a mean that prints as the goal meets it. */
const TOLERANCE = 1e-9;
const points = (v: number) => pct(v, 2);
const signed = (v: number) => {
  const rounded = Number((100 * v).toFixed(2));
  return `${rounded >= 0 ? '+' : '−'}${Math.abs(rounded).toFixed(2)}`;
};
const verdict = (met: boolean) => (met ? 'met' : '**NOT met**');

/** Refuses goals that cannot be checked: accuracies outside (0, 1], negative gaps, no minutes. */
export function checkGoals(goals: PlanGoals, fractions: string[]): void {
  for (const [fraction, top1] of Object.entries(goals.bestTop1 ?? {})) {
    if (!fractions.includes(fraction)) throw new RangeError(`goals.bestTop1['${fraction}']: the plan has no fraction ${fraction} (it has ${fractions.join(', ')})`);
    if (!(top1 > 0 && top1 <= 1)) throw new RangeError(`goals.bestTop1['${fraction}']: ${top1} is not an accuracy in (0, 1] (0.85 = 85 %)`);
  }
  if (goals.smallStudentGap !== undefined && !(goals.smallStudentGap >= 0 && goals.smallStudentGap < 1)) {
    throw new RangeError(`goals.smallStudentGap: ${goals.smallStudentGap} is not a gap in [0, 1) (0.01 = 1 point)`);
  }
  if (goals.totalMinutes !== undefined && !(goals.totalMinutes > 0)) throw new RangeError(`goals.totalMinutes: ${goals.totalMinutes} is not a positive number of minutes`);
}

interface Scored {
  method: string;
  mean: number;
}

/** The SimCLRv2 rows scored at one fraction with their means, lowest first. */
function scoredRows(rows: ResultRow[], methods: string[], fraction: string): Scored[] {
  return methods.map((method) => ({ method, mean: cellOf(rows, method, fraction).mean }))
    .filter((c): c is Scored => c.mean !== null).sort((a, b) => a.mean - b.mean);
}

/**
 * Per fraction: every SimCLRv2 row against the supervised baseline, as the range from the lowest row to the highest (a
 * range, not the best row alone: picking the best of several rows by their test figures would flatter the method).
 */
export function gainLines(rows: ResultRow[], fractions: string[], m: VerdictMethods): string[] {
  return fractions.flatMap((fraction) => {
    const scored = scoredRows(rows, m.simclr, fraction);
    const baseline = cellOf(rows, m.supervised, fraction).mean;
    if (scored.length === 0 || baseline === null) return [];
    const gain = (r: Scored) => `${signed(r.mean - baseline)} ("${r.method}" ${points(r.mean)})`;
    const [low, high] = [scored[0], scored[scored.length - 1]];
    return [`${fraction} labels, against the supervised baseline's ${points(baseline)}: ` +
      (scored.length === 1 ? `${gain(low)}.` : `the ${scored.length} SimCLRv2 rows from ${gain(low)} to ${gain(high)}.`)];
  });
}

/** One line per goal of the plan: the goal, met or NOT met, and the figures that decide it. */
export function goalLines(goals: PlanGoals, rows: ResultRow[], fractions: string[], m: VerdictMethods, wallS: number): string[] {
  const lines: string[] = [];
  for (const [fraction, target] of Object.entries(goals.bestTop1 ?? {})) {
    const scored = scoredRows(rows, m.simclr, fraction);
    const best = scored[scored.length - 1];
    lines.push(best === undefined
      ? `Best SimCLRv2 row at ${fraction} >= ${points(target)}: **NOT met** (no SimCLRv2 row was scored).`
      : `Best SimCLRv2 row at ${fraction} >= ${points(target)}: ${verdict(best.mean >= target - TOLERANCE)} (${points(best.mean)}, "${best.method}"; ${signed(best.mean - target)}; ` +
        `the highest of ${scored.length} rows' means, so a slightly optimistic figure).`);
  }
  if (goals.smallStudentGap !== undefined) {
    const gaps = fractions.map((fraction) => ({ fraction, student: cellOf(rows, m.small, fraction).mean, teacher: cellOf(rows, m.finetune, fraction).mean }));
    const measured = gaps.filter((g): g is { fraction: string; student: number; teacher: number } => g.student !== null && g.teacher !== null);
    const met = measured.length === fractions.length && measured.every((g) => g.teacher - g.student <= goals.smallStudentGap! + TOLERANCE);
    const figures = measured.map((g) => `${g.fraction}: ${points(g.student)} vs ${points(g.teacher)}, ${signed(g.student - g.teacher)}`).join('; ');
    lines.push(`Smaller student within ${points(goals.smallStudentGap)} points of its teacher (the fine-tuned model) at every fraction: ${verdict(met)} (${figures || 'not scored'}).`);
  }
  if (goals.totalMinutes !== undefined) {
    const minutes = wallS / 60;
    lines.push(`Whole pipeline within ${goals.totalMinutes} minutes: ${verdict(minutes <= goals.totalMinutes)} (${minutes.toFixed(1)} minutes on this machine).`);
  }
  return lines;
}
