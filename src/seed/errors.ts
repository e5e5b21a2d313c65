import { SeedError } from "./database"

const unreachable = new Set(["ECONNREFUSED", "ENOTFOUND", "ETIMEDOUT", "EHOSTUNREACH"])

/** The README's exit status: 3 when the server cannot be reached, else the error's own or 1. */
export function exitCodeOf(err: unknown): number {
  if (err instanceof SeedError) return err.exitCode
  return unreachable.has(String((err as { code?: unknown }).code)) ? 3 : 1
}

/** One line for the operator: what went wrong and, where known, what to do about it. */
export function describeError(err: unknown): string {
  if (err instanceof SeedError) return err.message
  const code = (err as { code?: unknown }).code
  const message = err instanceof Error ? err.message : String(err)
  if (unreachable.has(String(code))) {
    const what = `cannot reach the PostgreSQL of OLD_DATABASE_URL (${message})`
    return `${what}: start it (npm run services -- start) or fix the URL`
  }
  if (code === "28P01" || code === "28000") {
    return `PostgreSQL refused the login of OLD_DATABASE_URL (${message}): fix the user or password in the URL`
  }
  if (code === "42501") {
    return `the OLD_DATABASE_URL user lacks a privilege (${message}): use a user that may create databases and tables`
  }
  if (code === "57014") return `a seeding statement was cancelled (${message}): run the command again`
  return `seed:legacy failed: ${message.split("\n")[0] ?? message}`
}
