/**
 * Deliberate crashes for the crash-safety tests, e.g.
 * MIGRATOR_FAULT=load-histories:after-commit:2 makes load-histories exit abruptly right after
 * its second database commit, before the XACK. Unset in normal runs: a no-op.
 */
const spec = process.env["MIGRATOR_FAULT"]?.split(":")
let hits = 0

export function crashPoint(stage: string, point: string): void {
  if (!spec || spec[0] !== stage || spec[1] !== point) return
  hits += 1
  if (hits === Number(spec[2] ?? 1)) {
    process.stderr.write(`MIGRATOR_FAULT: ${stage} crashing at ${point} #${hits}\n`)
    process.kill(process.pid, "SIGKILL")
  }
}
