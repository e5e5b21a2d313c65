import { type Stage, stageNames, stages } from "../pipeline/stages"
import { UsageError } from "../runtime/errors"

/** Copies of each stage `migrate` starts unless told otherwise (the registry's defaultCopies). */
export const defaultWorkers = Object.fromEntries(stages.map((s) => [s.name, s.defaultCopies])) as Record<Stage, number>

/** "extract=1 transform=1 …", for help texts. */
export const defaultWorkersText = stages.map((s) => `${s.name}=${s.defaultCopies}`).join(" ")

export interface Workers {
  copies: Record<Stage, number>
  /** The stages `--workers` named: their counts are the user's, never adjusted to the run. */
  given: ReadonlySet<Stage>
}

/**
 * Parses `--workers load-histories=2,transform=3` (the flag may repeat). 0 leaves a stage to
 * copies started elsewhere (another host, README "Several hosts"); the run then waits for them.
 */
export function parseWorkers(args: string[]): Workers {
  const workers = { ...defaultWorkers }
  const given = new Set<Stage>()
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    let spec: string | undefined
    if (arg === "--workers") spec = args[++i]
    else if (arg.startsWith("--workers=")) spec = arg.slice("--workers=".length)
    else continue
    if (!spec) throw new UsageError("--workers needs a value like load-histories=2,transform=2")
    for (const part of spec.split(",")) {
      const [name, count] = part.split("=")
      const n = Number(count)
      if (!(stageNames as readonly string[]).includes(name ?? "")) {
        throw new UsageError(`--workers: unknown stage '${name}'; stages are ${stageNames.join(", ")}`)
      }
      if (!Number.isInteger(n) || n < 0 || n > 16) throw new UsageError(`--workers: '${part}' needs a whole number from 0 to 16`)
      workers[name as Stage] = n
      given.add(name as Stage)
    }
  }
  return { copies: workers, given }
}
