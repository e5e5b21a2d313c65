import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import type { Redis } from "ioredis"
import type { Registry } from "prom-client"
import type { Logger } from "../log/logger"
import { ExitCode, UserFacingError } from "../runtime/errors"
import { collectStatus } from "../status/collect"
import type { StreamKeys } from "../streams/keys"
import { exposition, unreachableExposition } from "./exposition"

/** A scrape must answer within Prometheus's default scrape timeout (10 s) even with Redis away. */
const READ_TIMEOUT_MS = 5_000

export interface MetricsServer {
  port: number
  close: () => Promise<void>
}

async function reading(client: Redis, keys: StreamKeys): Promise<Registry> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<Registry>((resolve) => (timer = setTimeout(() => resolve(unreachableExposition()), READ_TIMEOUT_MS)))
  try {
    return await Promise.race([collectStatus(client, keys).then(exposition, () => unreachableExposition()), timeout])
  } finally {
    clearTimeout(timer)
  }
}

/**
 * Serves the Prometheus text format on `/metrics` (every interface, so a Prometheus on another
 * host can scrape it), read from Redis at each scrape. `port` 0 picks a free port.
 */
export async function serveMetrics(client: Redis, keys: StreamKeys, port: number, setting: string, log: Logger): Promise<MetricsServer> {
  const server = createServer((req, res) => {
    if (req.method !== "GET" || (req.url ?? "").split("?")[0] !== "/metrics") {
      res.writeHead(404, { "Content-Type": "text/plain" }).end("not found: metrics are served on /metrics\n")
      return
    }
    void reading(client, keys)
      .then(async (registry) => {
        const body = await registry.metrics()
        res.writeHead(200, { "Content-Type": registry.contentType }).end(body)
      })
      .catch((err: unknown) => {
        log.warn({ err }, "metrics scrape failed")
        if (!res.headersSent) res.writeHead(500, { "Content-Type": "text/plain" })
        res.end("metrics unavailable\n")
      })
  })
  await new Promise<void>((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) =>
      reject(
        err.code === "EADDRINUSE" || err.code === "EACCES"
          ? new UserFacingError(`port ${port} (${setting}) is ${err.code === "EADDRINUSE" ? "in use" : "not allowed"}: choose another port`, ExitCode.usage)
          : err,
      ),
    )
    server.listen(port, () => resolve())
  })
  const bound = (server.address() as AddressInfo).port
  log.info({ port: bound }, `serving Prometheus metrics on http://0.0.0.0:${bound}/metrics`)
  return {
    port: bound,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    }),
  }
}
