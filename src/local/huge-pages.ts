import { spawnSync } from "node:child_process"
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { hugePagesWanted, isRoot } from "./paths"

/**
 * Huge pages for the checkout's own tuned cluster (postgresql.org/docs/15/kernel-resources.html,
 * "Linux Huge Pages"). Every server process maps the shared buffers it touches into its own
 * address space, page by page; with 4 kB pages a fresh backend or parallel worker scanning a
 * cached 330 MB table takes 84k page faults, and on the virtual machines we measure on each
 * costs 12–20 µs. With 2 MB pages it takes 512 times fewer: at 100k products a full run's server
 * processes spent 42 CPU-seconds against 59 (docs/DECISIONS.md 37). PostgreSQL's default
 * `huge_pages = try` uses them only when the kernel has them reserved (vm.nr_hugepages), which
 * needs root; we reserve what the cluster needs before it starts and hand them back when it stops.
 */

const NR_HUGEPAGES = "/proc/sys/vm/nr_hugepages"
/** How many pages this checkout added to vm.nr_hugepages, so that a stop gives back only those. */
const ledger = (dir: string) => join(dir, "pg-huge-pages")

function meminfo(): Record<string, number> {
  const out: Record<string, number> = {}
  for (const line of readFileSync("/proc/meminfo", "utf8").split("\n")) {
    const m = /^(\w+):\s+(\d+)/.exec(line)
    if (m) out[m[1]!] = Number(m[2])
  }
  return out
}

const readPages = () => Number(readFileSync(NR_HUGEPAGES, "utf8").trim())

/**
 * Reserves the huge pages a stopped cluster will ask for. Returns a line for the person starting
 * it, or null when there is nothing to say (not root, not Linux, opted out, pages already free).
 * `sizeInPages` runs `postgres -C shared_memory_size_in_huge_pages`, which needs the server down.
 */
export function reserveHugePages(dir: string, sizeInPages: () => string | null): string | null {
  if (!hugePagesWanted || !isRoot || !existsSync(NR_HUGEPAGES)) return null
  const needed = Number(sizeInPages())
  if (!Number.isInteger(needed) || needed <= 0) return null
  const mem = meminfo()
  const free = (mem["HugePages_Free"] ?? 0) - (mem["HugePages_Rsvd"] ?? 0)
  if (free >= needed) return null
  const add = needed - free
  const pageKb = mem["Hugepagesize"] ?? 2048
  const gb = (n: number) => `${((n * pageKb) / 1048576).toFixed(1)} GB`
  // Reserved huge pages are taken from everything else on the machine until given back.
  if (add * pageKb > (mem["MemAvailable"] ?? 0) / 2) {
    return `not reserving ${gb(add)} of huge pages for PostgreSQL: the machine has too little memory free; it uses 4 kB pages`
  }
  const before = readPages()
  try {
    writeFileSync(NR_HUGEPAGES, String(before + add))
  } catch (err) {
    // A container's /proc/sys is often read-only, root or not.
    return `could not reserve huge pages for PostgreSQL (${(err as NodeJS.ErrnoException).code ?? "write refused"} on ${NR_HUGEPAGES}): it uses 4 kB pages`
  }
  const got = readPages() - before
  if (got < add) {
    writeFileSync(NR_HUGEPAGES, String(before))
    return `the kernel had only ${got} of ${add} huge pages to give (memory fragmented): PostgreSQL uses 4 kB pages`
  }
  writeFileSync(ledger(dir), String(recorded(dir) + add))
  return `reserved ${add} huge pages (${gb(add)}, vm.nr_hugepages) for PostgreSQL's shared buffers; stopping the services gives them back, LOCAL_PG_HUGE_PAGES=0 skips this`
}

function recorded(dir: string): number {
  if (!existsSync(ledger(dir))) return 0
  const n = Number(readFileSync(ledger(dir), "utf8").trim())
  return Number.isInteger(n) && n > 0 ? n : 0
}

/** Gives back the pages reserveHugePages added for the cluster in `dir`, once it has stopped. */
export function releaseHugePages(dir: string): void {
  const n = recorded(dir)
  if (n === 0) return
  try {
    if (existsSync(NR_HUGEPAGES)) writeFileSync(NR_HUGEPAGES, String(Math.max(0, readPages() - n)))
  } catch {
    // Stopping must not fail over it: the ledger stays, and the next stop gives them back.
    return
  }
  rmSync(ledger(dir), { force: true })
}

/** `postgres -C shared_memory_size_in_huge_pages` for the stopped cluster in `dir` (PostgreSQL ≥ 15). */
export function hugePagesSizer(command: string[]): () => string | null {
  return () => {
    const [file, ...args] = command
    const r = spawnSync(file!, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] })
    return r.status === 0 ? r.stdout.trim() : null
  }
}

/** Whether the running server whose data directory is `dataDir` holds its shared memory in huge pages. */
export function serverUsesHugePages(dataDir: string): boolean {
  try {
    const pid = readFileSync(join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]!.trim()
    const m = /^HugetlbPages:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))
    return m !== null && Number(m[1]) > 0
  } catch {
    return false
  }
}
