// Progress events every stage emits; the CLI renders them as a progress bar or log lines, tests collect them.

export type StageEvent =
  | { type: 'start'; stage: string; totalSteps: number; step: number; message: string }
  | { type: 'step'; stage: string; step: number; totalSteps: number; epoch: number; values: Record<string, number> }
  | { type: 'eval'; stage: string; step: number; values: Record<string, number> }
  | { type: 'checkpoint'; stage: string; step: number; path: string }
  | { type: 'info'; stage: string; message: string }
  | { type: 'end'; stage: string; step: number; summary: Record<string, unknown> };

export type EventSink = (event: StageEvent) => void;

export const ignoreEvents: EventSink = () => {};
