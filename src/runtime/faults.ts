import { existsSync, writeFileSync } from "node:fs"

/**
 * Deliberate crashes for the crash-safety tests, e.g.
 * MIGRATOR_FAULT=load-histories:after-commit:2:/tmp/fired makes load-histories die abruptly
 * right after its second database commit, before the XACK. The optional marker file makes the
 * fault fire once across restarts (migrate restarts the stage with the same environment).
 * Unset in normal runs: a no-op.
 */
const spec = process.env["MIGRATOR_FAULT"]?.split(":")
let hits = 0

export function crashPoint(stage: string, point: string): void {
  if (!spec || spec[0] !== stage || spec[1] !== point) return
  const marker = spec[3]
  if (marker && existsSync(marker)) return
  hits += 1
  if (hits === Number(spec[2] ?? 1)) {
    if (marker) writeFileSync(marker, `${stage} ${point}\n`)
    process.stderr.write(`MIGRATOR_FAULT: ${stage} crashing at ${point} #${hits}\n`)
    process.kill(process.pid, "SIGKILL")
  }
}
