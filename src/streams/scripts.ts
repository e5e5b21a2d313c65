import { readFileSync } from "node:fs"
import { join } from "node:path"
import type { Cluster, Redis } from "ioredis"
import { projectRoot } from "../local/paths"

/**
 * The pipeline's Lua scripts, one file each under lua/ with a KEYS/ARGV header (BullMQ's
 * src/commands/*.lua is the model). Called by EVALSHA through ioredis's defineCommand, which
 * loads a script on first use; every key a script touches is passed in KEYS and shares the
 * pipeline's hash tag, so a script runs on one Redis Cluster node.
 */
const names = ["apply", "lease-acquire", "lease-renew", "lease-release", "unit-publish", "run-transition"] as const
export type ScriptName = (typeof names)[number]

// From the checkout, not import.meta.url: a bundled stage (src/supervisor/bundles.ts) lives elsewhere.
const sources = new Map(names.map((n) => [n, readFileSync(join(projectRoot, "src", "streams", "lua", `${n}.lua`), "utf8")]))
const defined = new WeakSet<object>()

type Scripted = Record<string, (numKeys: number, ...args: (string | number)[]) => Promise<unknown>>

/** Runs script `name` with `keys` and `args`. */
export async function runScript(client: Redis | Cluster, name: ScriptName, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
  if (!defined.has(client)) {
    for (const [n, lua] of sources) client.defineCommand(commandName(n), { lua })
    defined.add(client)
  }
  return (client as unknown as Scripted)[commandName(name)]!(keys.length, ...keys, ...args)
}

const commandName = (n: string) => `migrator_${n.replace(/-/g, "_")}`
