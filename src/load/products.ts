import type pg from "pg"
import { productColumns } from "../messages/columns"
import type { ProductsPayload } from "../messages/products"
import { selectList, unnestFrom, upsertTail } from "./sql"
import { recordGroupState } from "./group-state"
import { clearRefused } from "./refused"

const insertPlatformCountries = `
  INSERT INTO platform_countries (id, platform_id, country_id)
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) ORDER BY 1
  ON CONFLICT DO NOTHING`

/** New providers start with the claiming product's name; attribution below settles name and verified. */
const insertProviders = `
  INSERT INTO providers (id, platform_country_id, external_id, name, verified)
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::boolean[]) ORDER BY 1
  ON CONFLICT DO NOTHING`

/** v3 products holding a natural key that another legacy product wins now (MAPPING.md Products rule 5). */
const displacedProducts = `
  SELECT p.id, p.provider_id FROM products p
  JOIN unnest($1::text[], $2::text[], $3::text[]) AS n(id, external_id, platform_country_id)
    ON p.external_id = n.external_id AND p.platform_country_id = n.platform_country_id AND p.id <> n.id`

const upsertProducts = `
  INSERT INTO products (${productColumns.map((c) => c.name).join(", ")})
  SELECT ${selectList(productColumns)} FROM ${unnestFrom(productColumns)}
  ON CONFLICT (id) ${upsertTail("products", productColumns, ["id"])}`

const upsertClaims = `
  INSERT INTO migration.provider_claims (product_id, provider_id, claim_key, name, verified)
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::boolean[])
  ON CONFLICT (product_id) DO UPDATE SET provider_id = EXCLUDED.provider_id, claim_key = EXCLUDED.claim_key,
    name = EXCLUDED.name, verified = EXCLUDED.verified
  WHERE (provider_claims.provider_id, provider_claims.claim_key, provider_claims.name, provider_claims.verified)
    IS DISTINCT FROM (EXCLUDED.provider_id, EXCLUDED.claim_key, EXCLUDED.name, EXCLUDED.verified)`

/**
 * MAPPING.md, Provider: name and verified come from the migrated product with the latest
 * updated_at, ties by greater uuid. claim_key encodes exactly that order (src/mapping
 * recencyKey) and sorts byte-wise (COLLATE "C"), so the latest claim is simply the greatest.
 */
const attributeProviders = `
  UPDATE providers p SET name = c.name, verified = c.verified
  FROM unnest($1::text[]) AS a(id)
  -- The latest claim is one backward step on the (provider_id, claim_key) index, however many
  -- products name the provider.
  CROSS JOIN LATERAL (SELECT name, verified FROM migration.provider_claims
                      WHERE provider_id = a.id ORDER BY claim_key DESC LIMIT 1) c
  WHERE p.id = a.id AND (p.name, p.verified) IS DISTINCT FROM (c.name, c.verified)`

/**
 * Both rules below for every provider at once: the first full load settles its providers once at
 * its end (src/load/bulk.ts finishBulk), not per batch for the providers each batch names.
 */
const dropAllUnclaimedProviders = `
  DELETE FROM providers p WHERE NOT EXISTS (SELECT 1 FROM products WHERE provider_id = p.id)`
const attributeAllProviders = `
  UPDATE providers p SET name = c.name, verified = c.verified
  FROM (SELECT DISTINCT ON (provider_id) provider_id, name, verified FROM migration.provider_claims
        ORDER BY provider_id, claim_key DESC) c
  WHERE p.id = c.provider_id AND (p.name, p.verified) IS DISTINCT FROM (c.name, c.verified)`

/** Deletes every provider no product names and names the others after their latest claims. */
export async function settleAllProviders(tx: pg.PoolClient): Promise<void> {
  await tx.query(dropAllUnclaimedProviders)
  await tx.query(attributeAllProviders)
}

/** A provider no migrated product names any more would not exist after a fresh run. */
const dropUnclaimedProviders = `
  DELETE FROM providers p WHERE p.id = ANY($1::text[])
  AND NOT EXISTS (SELECT 1 FROM products WHERE provider_id = p.id)`

export interface ProductsWritten {
  products: number
  displaced: number
}

/**
 * Writes the products, providers and platform-countries of `p`'s groups inside the caller's
 * transaction, and records each group's legacy signature with the run `recordState` names (null:
 * not in TEST_MODE, nor for a group some of whose products the database refused). During the first full load
 * (`bulk`) providers are only inserted: settleAllProviders names them and deletes the unclaimed
 * at its end, so no batch locks, names or deletes one (in a 400k full run the per-batch
 * attribution took 15.7 s of statement time, the lock 6.6 s).
 */
export async function writeProducts(tx: pg.PoolClient, p: ProductsPayload, recordState: string | null, bulk = false): Promise<ProductsWritten> {
  const products = p.groups.flatMap((g) => g.products)
  const claims = p.groups.flatMap((g) => g.claims)
  const ids = products.map((x) => x.id)
  if (p.platformCountries.length > 0) {
    await tx.query(insertPlatformCountries, [
      p.platformCountries.map((x) => x.id),
      p.platformCountries.map((x) => x.platform_id),
      p.platformCountries.map((x) => x.country_id),
    ])
  }
  const displaced = (
    await tx.query<{ id: string; provider_id: string }>(displacedProducts, [
      ids,
      products.map((x) => x.external_id),
      products.map((x) => x.platform_country_id),
    ])
  ).rows
  const previous = bulk
    ? []
    : (await tx.query<{ provider_id: string }>("SELECT provider_id FROM migration.provider_claims WHERE product_id = ANY($1::text[])", [ids])).rows
  const named = new Set(p.providers.map((x) => x.id))
  // Providers that may have lost their last claim: a product now naming another one, or displaced.
  const abandoned = [...new Set([...previous.map((r) => r.provider_id), ...displaced.map((r) => r.provider_id)])].filter((id) => !named.has(id))
  const affected = [...new Set([...named, ...abandoned])].sort()
  // Serializes attribution per provider: a concurrent batch naming the same provider waits, then sees our claims.
  if (!bulk) await tx.query("SELECT id FROM providers WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE", [affected])
  // Inserted after the lock, not before: a provider a concurrent batch deleted while we waited
  // is inserted again here, rather than named missing (a foreign key error and a retry).
  if (p.providers.length > 0) {
    await tx.query(insertProviders, [
      p.providers.map((x) => x.id),
      p.providers.map((x) => x.platform_country_id),
      p.providers.map((x) => x.external_id),
      p.providers.map((x) => x.name),
      p.providers.map((x) => x.verified),
    ])
  }
  if (displaced.length > 0) {
    const gone = displaced.map((r) => r.id)
    await tx.query("DELETE FROM histories WHERE product_id = ANY($1::text[])", [gone])
    await tx.query("DELETE FROM multimedia WHERE product_id = ANY($1::text[])", [gone])
    // What the claims' ON DELETE CASCADE does, also while the first full load runs without it.
    await tx.query("DELETE FROM migration.provider_claims WHERE product_id = ANY($1::text[])", [gone])
    await tx.query("DELETE FROM products WHERE id = ANY($1::text[])", [gone])
  }
  const written = products.length > 0
    ? (await tx.query(upsertProducts, productColumns.map((c) => products.map((row) => c.get(row))))).rowCount ?? 0
    : 0
  if (claims.length > 0) {
    await tx.query(upsertClaims, [0, 1, 2, 3, 4].map((i) => claims.map((c) => c[i])))
  }
  if (!bulk && affected.length > 0) await tx.query(attributeProviders, [affected])
  if (!bulk && abandoned.length > 0) await tx.query(dropUnclaimedProviders, [abandoned])
  await clearRefused(tx, "products", ids)
  if (recordState !== null) await recordGroupState(tx, "products_sig", p.groups.map((g) => [g.key, g.sig]), recordState)
  return { products: written, displaced: displaced.length }
}

/** Of `ids`, how many v3 holds: products rejected now that keep an earlier run's version (MAPPING.md, runs). */
export async function countPresent(db: pg.Pool | pg.PoolClient, ids: readonly string[]): Promise<number> {
  if (ids.length === 0) return 0
  return (await db.query<{ n: number }>("SELECT count(*)::int AS n FROM products WHERE id = ANY($1::text[])", [ids])).rows[0]!.n
}
