import { spawn } from "node:child_process"
import { rmSync } from "node:fs"
import { afterAll, describe, expect, it } from "vitest"
import { freePorts } from "../../src/local/paths"
import { startRedis, stopRedis } from "../../src/local/redis"
import { privateSite } from "../../src/local/site"

describe("startRedis", () => {
  const [port] = freePorts()
  const site = privateSite(`redis-bind-${process.pid}`, 0, port)
  afterAll(async () => {
    await stopRedis(site, "SIGKILL")
    rmSync(site.dir, { recursive: true, force: true })
  })

  it("says at once that its port is taken when a socket holds it without listening", async () => {
    // Bound without SO_REUSEADDR and never listening, as a client connection's port is: nothing
    // answers there, yet Redis's bind is refused. Node's own sockets always set SO_REUSEADDR, hence Python.
    const holder = spawn("python3", ["-c", `import socket,time\ns=socket.socket()\ns.bind(("127.0.0.1",${port}))\nprint("bound",flush=True)\ntime.sleep(60)`], { stdio: ["ignore", "pipe", "inherit"] })
    try {
      await new Promise<void>((resolve) => holder.stdout.once("data", () => resolve()))
      await expect(startRedis(site)).rejects.toThrow(new RegExp(`^redis-server could not listen on port ${port}: .*Address already in use.*\\(choose another port\\)$`))
    } finally {
      holder.kill("SIGKILL")
    }
  })
})
