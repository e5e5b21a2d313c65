import { startPostgres } from "../../src/local/postgres"
import { startRedis } from "../../src/local/redis"
import { ensureV3Template } from "./v3"

/** The suite runs against the real local services; start them (idempotent) before any test file. */
export default async function setup(): Promise<void> {
  startPostgres()
  await startRedis()
  await ensureV3Template()
}
