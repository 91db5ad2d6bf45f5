/**
 * Progress of long XenAPI tasks (VM copy, provision, start, SR create), shown while `pulumi up` runs: Pulumi
 * prints what the dynamic-provider process writes to stderr. Quiet for tasks that finish within a few seconds,
 * then throttled to steps of 10% so logs stay short.
 */
const QUIET_MS = 3000;

export function progressReporter(label: string, now: () => number = Date.now): (progress: number) => void {
  const started = now();
  let shown = -1;
  return (progress) => {
    const step = Math.floor(progress * 10);
    if (step <= shown || step >= 10 || now() - started < QUIET_MS) return;
    shown = step;
    process.stderr.write(`${label}: ${step * 10}%\n`);
  };
}
