import { execFileSync } from "node:child_process"
import { existsSync, readdirSync } from "node:fs"
import { isRoot } from "./paths"

export class MissingToolError extends Error {}

/** Runs apt-get install for Debian packages; only as root, otherwise tells the user what to install. */
export function aptInstall(packages: string[], what: string): void {
  if (!isRoot || !existsSync("/usr/bin/apt-get")) {
    throw new MissingToolError(
      `${what} is not installed: install it (Debian: sudo apt-get install -y ${packages.join(" ")}) and run again`,
    )
  }
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" }
  const install = () =>
    execFileSync("apt-get", ["install", "-y", "--no-install-recommends", ...packages], { stdio: "inherit", env })
  try {
    install()
  } catch {
    // A fresh machine often has no package lists yet.
    execFileSync("apt-get", ["update"], { stdio: "inherit", env })
    install()
  }
}

/** Directory holding pg_ctl/initdb/postgres, preferring the PostgreSQL 15 server package. */
export function findPostgresBin(): string | undefined {
  const base = "/usr/lib/postgresql"
  if (!existsSync(base)) return undefined
  const versions = readdirSync(base)
    .filter((v) => existsSync(`${base}/${v}/bin/initdb`))
    .sort((a, b) => Number(b) - Number(a))
  const chosen = versions.includes("15") ? "15" : versions[0]
  return chosen ? `${base}/${chosen}/bin` : undefined
}

/** What `find` finds, installing Debian's `packages` first when it finds nothing. */
function ensure(find: () => string | undefined, packages: string[], what: string, missing: string): string {
  const found = find()
  if (found) return found
  aptInstall(packages, what)
  const after = find()
  if (!after) throw new MissingToolError(missing)
  return after
}

export function ensurePostgresBin(): string {
  return ensure(findPostgresBin, ["postgresql-15"], "PostgreSQL 15 server", "PostgreSQL server binaries not found under /usr/lib/postgresql: install postgresql-15")
}

export function findRedisServer(): string | undefined {
  return ["/usr/bin/redis-server", "/usr/local/bin/redis-server"].find((p) => existsSync(p))
}

export function ensureRedisServer(): string {
  return ensure(findRedisServer, ["redis-server"], "Redis server", "redis-server not found after install: install Debian's redis-server package")
}
