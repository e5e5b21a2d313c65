import { existsSync, readFileSync, rmSync } from "node:fs"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { releaseHugePages, reserveHugePages, serverUsesHugePages } from "../../src/local/huge-pages"
import { freePorts, isRoot } from "../../src/local/paths"
import { postgresDataDir, postgresRunning, startPostgres, stopPostgres } from "../../src/local/postgres"
import { privateSite, type Site } from "../../src/local/site"

const NR = "/proc/sys/vm/nr_hugepages"
const pages = () => Number(readFileSync(NR, "utf8").trim())
// Reserving huge pages writes a kernel setting: only root on Linux can, elsewhere the cluster uses 4 kB pages.
const canReserve = isRoot && existsSync(NR)

describe("huge pages for the checkout's own cluster", () => {
  const site: Site = { ...privateSite(`huge-pages-${process.pid}`, freePorts()[0], 0), hugePages: true }
  afterAll(() => {
    stopPostgres(site)
    rmSync(site.dir, { recursive: true, force: true })
  })

  it.skipIf(!canReserve)("reserves what the cluster needs before it starts and gives exactly that back when it stops", () => {
    const before = pages()
    const said = startPostgres(site)
    expect(postgresRunning(site)).toBe(true)
    const reserved = /reserved (\d+) huge pages/.exec(said)
    if (reserved === null) {
      // A machine without the memory to spare says so, and the server runs on 4 kB pages.
      expect(said).toMatch(/not reserving|only \d+ of \d+ huge pages/)
      expect(serverUsesHugePages(postgresDataDir(site))).toBe(false)
      expect(pages()).toBe(before)
    } else {
      expect(pages()).toBe(before + Number(reserved[1]))
      expect(serverUsesHugePages(postgresDataDir(site))).toBe(true)
    }
    expect(stopPostgres(site)).toBe("postgres stopped")
    expect(pages()).toBe(before)
    expect(existsSync(join(site.dir, "pg-huge-pages"))).toBe(false)
  })

  it.skipIf(!canReserve)("leaves the kernel's setting alone when the machine has not the memory to spare", () => {
    const before = pages()
    const said = reserveHugePages(site.dir, () => String(64 * 1024 * 1024))
    expect(said).toMatch(/^not reserving .* of huge pages for PostgreSQL: .*it uses 4 kB pages$/)
    expect(pages()).toBe(before)
    releaseHugePages(site.dir)
    expect(pages()).toBe(before)
  })

  it("never reserves for a cluster that does not ask for huge pages, and such a server holds none", () => {
    const other: Site = privateSite(`no-huge-pages-${process.pid}`, freePorts()[0], 0)
    const before = canReserve ? pages() : 0
    try {
      expect(startPostgres(other)).not.toMatch(/huge pages/)
      expect(serverUsesHugePages(postgresDataDir(other))).toBe(false)
      if (canReserve) expect(pages()).toBe(before)
    } finally {
      stopPostgres(other)
      rmSync(other.dir, { recursive: true, force: true })
    }
  })
})
