/**
 * When a stopped instance starts again (pure): `--restart no | on-failure | always`, with
 * exponential back-off so a program that crashes at once costs the host little. The delay
 * doubles with each restart in a row, from BASE_MS up to MAX_MS; a run that lasted RESET_MS or
 * more counts as healthy and starts the series again.
 */
export type RestartMode = 'no' | 'on-failure' | 'always';

export const RESTART_MODES: readonly RestartMode[] = ['no', 'on-failure', 'always'];
export const BACKOFF_BASE_MS = 250;
export const BACKOFF_MAX_MS = 30_000;
export const BACKOFF_RESET_MS = 10_000;

export interface ExitFacts {
  /** The program's exit code; null when unknown (it died while no supervisor watched it). */
  exitCode: number | null;
  /** How long it ran. */
  ranMs: number;
  /** Restarts in a row so far (the back-off series). */
  streak: number;
}

export type RestartDecision = { restart: false } | { restart: true; delayMs: number; streak: number };

export function decideRestart(mode: RestartMode, e: ExitFacts): RestartDecision {
  const failed = e.exitCode !== 0;
  if (mode === 'no' || (mode === 'on-failure' && !failed)) return { restart: false };
  const streak = e.ranMs >= BACKOFF_RESET_MS ? 0 : e.streak;
  return { restart: true, delayMs: Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** streak), streak: streak + 1 };
}
