import { classify } from "../runtime/retry"

export interface Refused<U> {
  unit: U
  error: unknown
}

/**
 * Writes `units` with `write` (one transaction per call), and when the database refuses a row
 * (a data error: a value, a constraint, a trigger), splits the units in halves, recursively,
 * until the refused ones stand alone: every other unit is written, and the refused ones are
 * returned with the database's error. Any other failure (a lost race, an outage, a bug) ends the
 * attempt, for the consumer to retry or redeliver the entry as usual. `whole` is true only for
 * the first call, over every unit.
 */
export async function isolate<U>(units: readonly U[], write: (part: readonly U[], whole: boolean) => Promise<void>): Promise<Refused<U>[]> {
  const refused: Refused<U>[] = []
  const attempt = async (part: readonly U[], whole: boolean): Promise<void> => {
    if (part.length === 0) return
    try {
      await write(part, whole)
    } catch (err) {
      if (classify(err) !== "data") throw err
      if (part.length === 1) {
        refused.push({ unit: part[0]!, error: err })
        return
      }
      const half = Math.ceil(part.length / 2)
      await attempt(part.slice(0, half), false)
      await attempt(part.slice(half), false)
    }
  }
  await attempt(units, true)
  return refused
}
