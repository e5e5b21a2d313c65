import { fieldOr, isJsonObject, ownField, readJsonb } from "./json"
import { providerId, unknownProvider } from "./reference"
import { compareText, normalizeText } from "./text"
import type { ProviderClaim, V3PlatformCountry, V3Provider } from "./types"

/** What a legacy `provider` value names, before it is tied to a platform-country. */
export interface ParsedProvider {
  externalId: string
  name: string
  verified: boolean
}

/**
 * An external id as text (MAPPING.md Provider: "a number becomes its decimal text", trimmed).
 * Decision: a safe integer is printed via BigInt so it never carries an exponent; any other
 * finite number is String(n). Other types, or empty after trimming → no external id.
 */
export function externalIdText(value: unknown): string | null {
  let text: string
  if (typeof value === "string") text = value.trim()
  else if (typeof value === "number" && Number.isFinite(value))
    text = Number.isSafeInteger(value) ? BigInt(value).toString() : String(value)
  else return null
  return text === "" ? null : text
}

/**
 * MAPPING.md Products, Provider: `provider` is an object or a JSON string holding one, in either
 * spelling (externalId/name or external_id/provider_name). null → the unknown provider (arrays,
 * numbers, null, unparsable JSON, no usable external id).
 */
export function parseProvider(raw: unknown): ParsedProvider | null {
  const read = readJsonb(raw)
  if (!read.ok || !isJsonObject(read.value)) return null
  const obj = read.value
  const externalId = externalIdText(fieldOr(obj, "externalId", "external_id"))
  if (externalId === null) return null
  const rawName = fieldOr(obj, "name", "provider_name")
  const name = typeof rawName === "string" ? normalizeText(rawName) : ""
  return { externalId, name: name === "" ? externalId : name, verified: ownField(obj, "verified") === true }
}

/**
 * The claim a migrated product makes on its provider row. A provider whose external id is
 * literally `unknown` is the platform-country's unknown provider (same natural key), so it keeps
 * the fixed name and verified flag.
 */
export function providerClaim(
  platformCountry: V3PlatformCountry,
  parsed: ParsedProvider | null,
  claimKey: string,
): ProviderClaim {
  const named = parsed === null || parsed.externalId === unknownProvider.externalId ? unknownProvider : parsed
  const unknown = named === unknownProvider
  const provider: V3Provider = {
    id: providerId(platformCountry.id, named.externalId),
    platform_country_id: platformCountry.id,
    external_id: named.externalId,
    name: named.name,
    verified: named.verified,
  }
  return { provider, unknown, claimKey }
}

/**
 * One provider row per provider id: name and verified from the claim with the greatest claimKey
 * (byte-wise, as the loaders compare with COLLATE "C"); the unknown provider keeps its fixed
 * name and verified. Sorted by id, so the result never depends on the order of the claims.
 */
export function resolveProviders(claims: readonly ProviderClaim[]): V3Provider[] {
  return providerRows(addClaims(new Map(), claims))
}

/**
 * Folds claims into `best` (provider id -> winning claim so far): resolveProviders in steps, so
 * a caller walking a whole catalog holds one claim per provider instead of every claim.
 */
export function addClaims(best: Map<string, ProviderClaim>, claims: readonly ProviderClaim[]): Map<string, ProviderClaim> {
  for (const claim of claims) {
    const current = best.get(claim.provider.id)
    if (current === undefined || claimBeats(claim, current)) best.set(claim.provider.id, claim)
  }
  return best
}

/** The provider rows of folded claims (see resolveProviders). */
export function providerRows(best: ReadonlyMap<string, ProviderClaim>): V3Provider[] {
  const rows = [...best.values()].map(({ provider, unknown }) =>
    unknown ? { ...provider, name: unknownProvider.name, verified: unknownProvider.verified } : { ...provider },
  )
  return rows.sort((a, b) => compareText(a.id, b.id))
}

// Equal claim keys only arise from one product claiming twice; the rest keeps the choice order-free.
function claimBeats(a: ProviderClaim, b: ProviderClaim): boolean {
  if (a.claimKey !== b.claimKey) return a.claimKey > b.claimKey
  if (a.provider.name !== b.provider.name) return a.provider.name > b.provider.name
  return a.provider.verified && !b.provider.verified
}
