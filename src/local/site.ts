import { createHash } from "node:crypto"
import { chmodSync, mkdirSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { localPorts, stateDir } from "./paths"

/**
 * Where a local PostgreSQL cluster and Redis live: this checkout's own (the default, on the
 * fixed ports), or a private pair a test or the chaos and bench commands start, restart and
 * stop without touching the services other tests use.
 */
export interface Site {
  dir: string
  pgPort: number
  redisPort: number
  /** "tuned": disposable-data settings (fsync off, large buffers); "stock": PostgreSQL's defaults, as users' servers have them. */
  pg: "tuned" | "stock"
  /** Reserve huge pages for its shared buffers (src/local/huge-pages.ts): the checkout's own tuned cluster only. */
  hugePages: boolean
}

export function defaultSite(): Site {
  return { dir: stateDir(), pgPort: localPorts.postgres, redisPort: localPorts.redis, pg: "tuned", hugePages: true }
}

/** A site of its own under the system's temporary directory, named and ported by the caller. */
export function privateSite(name: string, pgPort: number, redisPort: number, pg: Site["pg"] = "tuned"): Site {
  const dir = join(tmpdir(), `migrator-${name}-${createHash("sha1").update(`${name}:${pgPort}`).digest("hex").slice(0, 8)}`)
  mkdirSync(dir, { recursive: true })
  // As root, PostgreSQL runs as `postgres`, which must reach the data directory.
  chmodSync(dir, 0o755)
  return { dir, pgPort, redisPort, pg, hugePages: false }
}

export function siteUrls(site: Site, user: string) {
  return {
    admin: `postgres://${user}@127.0.0.1:${site.pgPort}/postgres`,
    db: (name: string) => `postgres://${user}@127.0.0.1:${site.pgPort}/${name}`,
    redis: `redis://127.0.0.1:${site.redisPort}/0`,
  }
}
