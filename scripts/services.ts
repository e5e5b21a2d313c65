import { localUrls } from "../src/local/paths"
import { startPostgres, stopPostgres, postgresRunning } from "../src/local/postgres"
import { redisRunning, startRedis, stopRedis } from "../src/local/redis"
import { clusterPorts, redisClusterRunning, startRedisCluster, stopRedisCluster } from "../src/local/redis-cluster"
import { defaultSite } from "../src/local/site"

const usage = `Usage: npm run services -- <start|stop|status|env> [--redis-cluster]

Starts or stops the local PostgreSQL 15 and Redis used by the demo and the tests
(loopback only, data under .local/). Idempotent.
  start    start both (installs Debian's redis-server / postgresql-15 when missing, as root);
           with --redis-cluster also a Redis Cluster of three primaries on ports
           ${clusterPorts(defaultSite()).join(", ")} (REDIS_URL=redis://127.0.0.1:${clusterPorts(defaultSite())[0]}/0)
  stop     stop all of them
  status   say whether each is running
  env      print the settings that point the stages at these services`

async function main(command: string | undefined, cluster: boolean): Promise<number> {
  switch (command) {
    case "start":
      console.log(startPostgres())
      console.log(await startRedis())
      if (cluster) console.log(await startRedisCluster(defaultSite()))
      return 0
    case "stop":
      if (redisClusterRunning(defaultSite()) || cluster) console.log(await stopRedisCluster(defaultSite()))
      console.log(await stopRedis())
      console.log(stopPostgres())
      return 0
    case "status":
      console.log(`postgres: ${postgresRunning() ? "running" : "stopped"}`)
      console.log(`redis: ${redisRunning() ? "running" : "stopped"}`)
      console.log(`redis cluster: ${redisClusterRunning(defaultSite()) ? `running on ${clusterPorts(defaultSite()).join(", ")}` : "stopped"}`)
      return 0
    case "env":
      console.log(`export OLD_DATABASE_URL=${localUrls.legacy}`)
      console.log(`export PRODUCTS_DATABASE_URL=${localUrls.v3}`)
      console.log(`export REDIS_URL=${localUrls.redis}`)
      return 0
    case "--help":
    case "-h":
      console.log(usage)
      return 0
    default:
      console.error(command ? `unknown command '${command}': use start, stop, status or env` : usage)
      return 2
  }
}

const rest = process.argv.slice(3)
const unknown = rest.find((a) => a !== "--redis-cluster")
if (unknown !== undefined) {
  console.error(`unknown option ${unknown}: see npm run services -- --help`)
  process.exit(2)
}
main(process.argv[2], rest.includes("--redis-cluster")).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err))
    process.exit(1)
  },
)
