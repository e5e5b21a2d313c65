import net from "node:net"

/**
 * A TCP proxy in front of a real PostgreSQL that can cut a connection at an exact point of the
 * protocol: right after the server's CommandComplete of a SELECT, before its ReadyForQuery. A
 * server restart can land there by chance (seen in CI); this makes the moment repeatable.
 * Backend messages are a type byte, an int32 length (itself included) and the payload
 * (PostgreSQL 15 docs, 55.7 "Message Formats").
 */
export interface CutProxy {
  port: number
  /** The next CommandComplete of a SELECT is the last message its connection delivers. */
  armCutAfterSelectComplete(): void
  close(): Promise<void>
}

export async function cutProxy(targetPort: number, targetHost = "127.0.0.1"): Promise<CutProxy> {
  let armed = false
  const sockets = new Set<net.Socket>()
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, targetHost)
    for (const s of [client, upstream]) {
      sockets.add(s)
      s.on("error", () => undefined)
      s.on("close", () => sockets.delete(s))
    }
    client.pipe(upstream)
    client.on("close", () => upstream.destroy())
    upstream.on("close", () => client.destroy())
    let pending = Buffer.alloc(0)
    upstream.on("data", (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk])
      let end = 0
      while (pending.length - end >= 5) {
        const length = pending.readInt32BE(end + 1)
        if (pending.length - end < 1 + length) break
        const type = String.fromCharCode(pending[end]!)
        const tag = pending.toString("utf8", end + 5, end + 11)
        end += 1 + length
        if (armed && type === "C" && tag === "SELECT") {
          armed = false
          // Deliver up to and including the CommandComplete, then close as a dying server does.
          client.end(pending.subarray(0, end))
          upstream.destroy()
          return
        }
      }
      client.write(pending.subarray(0, end))
      pending = pending.subarray(end)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  return {
    port: (server.address() as net.AddressInfo).port,
    armCutAfterSelectComplete: () => (armed = true),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}
