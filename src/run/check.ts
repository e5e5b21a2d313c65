import type { Redis } from "ioredis"
import type pg from "pg"
import type { StreamKeys } from "../streams/keys"
import type { RunState } from "./state"

/** The end-of-run comparison of the run's counts with what v3 holds. */
export interface RunCheck {
  /** v3 products among those the run was responsible for. */
  v3Products: number
  /** Products the run loaded now plus those kept from an earlier run: what v3 must hold. */
  accounted: number
  ok: boolean
}

/**
 * Counts the v3 products in the run's scope (the whole catalog for a full run, the planned
 * groups' products for an incremental one, the selection for TEST_MODE) and compares them with
 * what the run says it did: loaded now (acknowledged with the commit, products.loaded) plus
 * rejected now but kept from an earlier run (products.kept_previous).
 */
export async function checkRun(client: Redis, v3: pg.Pool, keys: StreamKeys, run: RunState, counts: Record<string, number>): Promise<RunCheck> {
  let v3Products: number
  if (run.testMode) {
    const ids = JSON.parse((await client.hget(keys.run, "test_uuids")) ?? "[]") as string[]
    v3Products = Number((await v3.query<{ n: string }>("SELECT count(*) AS n FROM products WHERE id = ANY($1::text[])", [ids])).rows[0]!.n)
  } else if (run.kind === "incremental") {
    const { rows } = await v3.query<{ n: string }>(
      "SELECT count(*) AS n FROM products WHERE id IN (SELECT unnest(uuids) FROM migration.plan_keys WHERE run_id = $1)",
      [run.id],
    )
    v3Products = Number(rows[0]!.n)
  } else {
    v3Products = Number((await v3.query<{ n: string }>("SELECT count(*) AS n FROM products")).rows[0]!.n)
  }
  const accounted = (counts["products.loaded"] ?? 0) + (counts["products.kept_previous"] ?? 0)
  return { v3Products, accounted, ok: v3Products === accounted }
}
