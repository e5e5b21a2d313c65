import pg from "pg"
import { historyRowColumns } from "../messages/history-rows"

/**
 * The read-only SQL extract runs against the legacy database. A *group* is every product and
 * history row sharing one raw external_id: collisions and a product's history never cross
 * groups, so groups can be mapped independently and in any order.
 *
 * Rows leave PostgreSQL as text built by the server (products as JSON, history rows as COPY
 * text), so extract never parses or re-serializes them; transform parses each batch once.
 */

/** Which of `slices` work units a key belongs to; stable for the life of a run. */
export const sliceOf = (column: string, slicesParam: string, sliceParam: string) =>
  `abs(hashtext(${column})::bigint) % ${slicesParam} = ${sliceParam}`

/**
 * Change signatures: a row count plus the sum of the rows' xmin (the id of the transaction that
 * wrote each row version), per group. The contract moves a product's updated_at when its row
 * changes, but updated_at is a date: a second edit on the day of the last run leaves it unchanged
 * (issue 6: "inclusive of the last run's day"). Any insert, update or delete of a row changes its
 * group's count or xmin sum, so the signature catches that edit, and history rows, which carry no
 * marker at all, without hashing a single column: the daily plan's scan of 11M history rows took
 * 6.8 s hashing every column (hash_record_extended) and 3.4 s reading xmin (400k products). The
 * same signal drives xmin-based incremental sync elsewhere (Airbyte's Postgres source). xmin
 * survives VACUUM, freezing (PostgreSQL ≥ 9.4 keeps the raw value) and pg_upgrade; a dump and
 * restore of the legacy database writes new xmins, and the next daily run then re-migrates every
 * group once. The `x` prefix keeps a signature of an older release (a row hash) from ever matching.
 */
export const signatureOf = (xmin: string) => `'x' || count(*)::text || ':' || sum(${xmin}::text::bigint)::text`

/** (external_id, uuid) of one slice's products, in key order, after a resume position. */
export const sliceProductsCursor = (withPosition: boolean) => `
  SELECT p.external_id, p.uuid::text AS uuid
  FROM product p
  WHERE ${sliceOf("p.external_id", "$1", "$2")}${withPosition ? " AND p.external_id > $3" : ""}
  ORDER BY p.external_id, p.uuid`

/**
 * (external_id, platform, country) of the products `where` selects (src/extract/slices.ts), in
 * key order: a full run's work unit. Every column is in the product table's unique key, so the
 * server reads its index alone (an index-only scan) where the uuid needs the table: at 1.6M
 * products the table is 1.5 GB, past the quarter of shared_buffers beyond which a sequential
 * scan reads through a small ring of buffers, so each of the eight slices read all of it again
 * (2.5 s against 0.14 s a slice; docs/DECISIONS.md 56).
 */
export const sliceProductKeysCursor = (where: string) => `
  SELECT p.external_id, p.platform, p.country
  FROM product p
  WHERE ${where}
  ORDER BY p.external_id, p.platform, p.country`

/**
 * The legacy server's transaction horizon now (`h`): every row written by a transaction that
 * committed before this moment has an xmin preceding it. Taken before a run reads anything, so
 * the rows a run reads and a later run calls "older than the horizon" overlap as far as they can;
 * see historyTails. And the oldest transaction still running then (`xmin`): every row a run may
 * not have seen, because its transaction had not committed when the run started, has an xmin at
 * or after it; see src/extract/plan-since.ts. Both xids without their epoch, as xmin and age()
 * see them, from one snapshot.
 */
export const legacyHorizon = `SELECT (txid_snapshot_xmax(s) % 4294967296)::text AS h, (txid_snapshot_xmin(s) % 4294967296)::text AS xmin
  FROM txid_current_snapshot() AS s`

/** Transactions since a horizon (age of the xid): negative or huge once it wrapped around. */
export const horizonAge = `SELECT age($1::text::xid)::bigint AS age`

/** Beyond this many transactions since it, a horizon is not trusted (age() wraps at 2^31). */
export const MAX_HORIZON_AGE = 1_000_000_000

/** Keys of history rows that no product shares: the orphan work unit. */
export const orphanKeysCursor = (withPosition: boolean) => `
  SELECT DISTINCT h.external_product_id AS external_id
  FROM history h
  WHERE NOT EXISTS (SELECT 1 FROM product p WHERE p.external_id = h.external_product_id)${
    withPosition ? " AND h.external_product_id > $1" : ""
  }
  ORDER BY 1`

/** The products of a batch (`which(alias)` selects them), as one JSON array, plus each key's signature. */
const productsOf = (which: (alias: string) => string) => `
  WITH p AS (SELECT * FROM product p WHERE ${which("p")})
  SELECT (SELECT coalesce(json_agg(p ORDER BY p.uuid), '[]')::text FROM p) AS rows,
         (SELECT coalesce(json_object_agg(external_id, sig), '{}')::text FROM (
            SELECT s.external_id, ${signatureOf("s.xmin")} AS sig FROM product s WHERE ${which("s")} GROUP BY s.external_id) s) AS sigs`

/** The products of a batch by uuid ($1). */
export const fetchProducts = productsOf((p) => `${p}.uuid = ANY($1::uuid[])`)

/** The products of a batch by their unique key: platforms $1, countries $2, external ids $3, in step. */
export const fetchProductsByKey = productsOf(
  (p) => `(${p}.platform, ${p}.country, ${p}.external_id) IN (SELECT * FROM unnest($1::text[], $2::text[], $3::text[]))`,
)

/** A text[] literal of `values`, for COPY, which takes no bind parameters. */
export const textArray = (values: readonly (string | null)[]) =>
  `${pg.escapeLiteral(`{${values.map((v) => (v === null ? "NULL" : `"${v.replace(/["\\]/g, "\\$&")}"`)).join(",")}}`)}::text[]`

/** A history row on the wire (src/messages/history-rows.ts): its key, its xmin, then historyRowColumns. */
const historyRowSelect = `h.external_product_id, h.xmin, ${historyRowColumns.map((c) => `h.${c}`).join(", ")}`

/**
 * The history rows of a batch's keys (`keys`, a textArray), in COPY's text format: the server
 * spends 190–230 ms of CPU on a 20k-key sample of the 400k bench, against 420–730 ms building
 * each key's rows as a JSON array (docs/DECISIONS.md 46). Each key's signature is computed from
 * the rows' xmin by the reader.
 */
export const copyHistories = (keys: string) => `COPY (SELECT ${historyRowSelect} FROM history h WHERE h.external_product_id = ANY(${keys})) TO STDOUT`

/**
 * A legacy history date written as 'YYYY-MM-DD' for comparison only: 'DD/MM/YYYY' rearranged,
 * anything else its first ten characters. Every date rule 1 accepts comes out as its
 * 'YYYY-MM-DD' (src/mapping/dates.ts parseHistoryDay); what it rejects comes out as some text,
 * and rule 1 itself, in transform, still decides every row sent.
 */
export const historyDay = (d: string) =>
  `(CASE WHEN length(${d}) = 10 AND substr(${d}, 3, 1) = '/' AND substr(${d}, 6, 1) = '/' THEN substr(${d}, 7, 4) || '-' || substr(${d}, 4, 2) || '-' || substr(${d}, 1, 2) ELSE left(${d}, 10) END) COLLATE "C"`

/**
 * An incremental run's first look at a batch's history rows: per key, its signature, and, for a
 * key given with the histories signature its last load recorded ($2, $3), whether it is a
 * *tail*: the rows older than the previous run's horizon ($4) have exactly that signature, so
 * the rows that load saw are all still there, unchanged, and everything else was inserted after
 * it. Any row deleted or updated since (an update writes a new row version with a new xmin)
 * breaks that equality, and the group is then sent whole; rows in flight at the horizon count
 * as old and break it too, so every doubt falls on the side of sending it whole. `since`: the
 * earliest date, as historyDay writes it, of the rows added since the horizon.
 *
 * `inert`: for a tail whose added rows all repeat, value for value and date text included, every
 * row already on their date (a re-scrape that found nothing new), those dates, as historyDay
 * writes them. Under MAPPING.md's history rules 1–5 such rows change no v3 row: the day keeps the
 * same values whichever uuid wins rule 2, no date is added, so no gap or rolling figure moves.
 * Only their dates' rows are read, for the accounting (docs/DECISIONS.md 66). Values are
 * compared as text: -0 and 0 are equal numbers but not the same row. Only tails whose added rows
 * all fall on or before their last older date are looked at, each added date through a scan of
 * its key's rows (0.87–0.92 s for the 2,876 keys of the 400k quiet day, against 1.25–1.79 s
 * counting every date of every key).
 */
export const historyTails = `
  WITH g AS MATERIALIZED (
    SELECT h.external_product_id AS k, ${signatureOf("h.xmin")} AS sig,
           'x' || (count(*) FILTER (WHERE age(h.xmin) > age($4::text::xid)))::text || ':' ||
             (sum(h.xmin::text::bigint) FILTER (WHERE age(h.xmin) > age($4::text::xid)))::text AS old_sig,
           min(${historyDay("h.date")}) FILTER (WHERE age(h.xmin) <= age($4::text::xid)) AS since,
           max(${historyDay("h.date")}) FILTER (WHERE age(h.xmin) <= age($4::text::xid)) AS last_new,
           max(${historyDay("h.date")}) FILTER (WHERE age(h.xmin) > age($4::text::xid)) AS last_old
    FROM history h WHERE h.external_product_id = ANY($1::text[]) GROUP BY h.external_product_id),
  t AS (SELECT g.*, coalesce(g.old_sig = r.recorded, false) AS tail FROM g LEFT JOIN unnest($2::text[], $3::text[]) AS r(k, recorded) ON r.k = g.k),
  added AS (
    SELECT DISTINCT t.k, n.day FROM t CROSS JOIN LATERAL (
      SELECT ${historyDay("h.date")} AS day FROM history h WHERE h.external_product_id = t.k AND age(h.xmin) <= age($4::text::xid) OFFSET 0) n
    WHERE t.tail AND t.last_new <= t.last_old),
  days AS (
    SELECT a.k, a.day, bool_or(x.old) AS has_old,
           count(DISTINCT (x.date, x.platform, x.country, x.stock::text, x.sold_units::text, x.sale_price::text, x.sales_amount::text,
                           x.stock_adjustment, x.stock_adjustment_reason)) AS versions
    FROM added a CROSS JOIN LATERAL (
      SELECT x.*, age(x.xmin) > age($4::text::xid) AS old FROM history x WHERE x.external_product_id = a.k OFFSET 0) x
    WHERE ${historyDay("x.date")} = a.day GROUP BY 1, 2),
  inert AS (SELECT k, array_agg(day ORDER BY day) AS days FROM days GROUP BY k HAVING bool_and(has_old AND versions = 1))
  SELECT t.k, t.sig, t.since, t.tail, i.days AS inert FROM t LEFT JOIN inert i ON i.k = t.k`

/**
 * The history rows of `keys` as copyHistories sends them, a key with a `since` (`since`, a
 * textArray in the same order) only its rows dated then or later as historyDay writes them: rows
 * on earlier dates map to what v3 holds already; with `exact` (a boolArray) true, only its rows
 * of that date (an inert tail's dates, historyTails, one entry per date). A second pass over the
 * keys' rows, found in the cache: cheaper than holding every row of the first pass until its
 * aggregate is known (1.06–1.19 s against 1.30–1.78 s for twenty 490-key batches of a 400k busy
 * day). One index scan per entry, whatever the planner estimates: OFFSET 0 keeps the subquery
 * from being pulled up into a join it could run as a hash join over the whole table. An
 * `= ANY(keys)` beside the key made each of those scans test the whole array (51.7 ms against
 * 9.4 ms for 483 keys of the 400k busy day).
 */
export const copyHistoryRowsSince = (keys: string, since: string, exact: string) => `COPY (
  SELECT h.* FROM unnest(${keys}, ${since}, ${exact}) AS t(k, since, exact) CROSS JOIN LATERAL (
    SELECT ${historyRowSelect} FROM history h
    WHERE h.external_product_id = t.k
      AND (t.since IS NULL OR (CASE WHEN t.exact THEN ${historyDay("h.date")} = t.since ELSE ${historyDay("h.date")} >= t.since END)) OFFSET 0) h) TO STDOUT`

/** A boolean[] literal of `values`. */
export const boolArray = (values: readonly boolean[]) => `'{${values.map((v) => (v ? "t" : "f")).join(",")}}'::boolean[]`

/**
 * What v3 holds of the tails' products before their cuts ($1 keys, $2 cut dates), as one JSON
 * object by product id in the wire form of src/messages/extract-batch.ts SeedWire: each
 * product's first date, its last kept (not filled) row before the cut, and the sold units and
 * billing of its last 30 days up to that row. Up to a kept row, because every row up to it is an
 * earlier run's, while filled rows after it may be this run's, written before a crash by parts
 * of a large group in any order. Run with extra_float_digits ≥ 1, PostgreSQL's default, for
 * float8 text that reads back exactly.
 */
export const fetchSeeds = `
  SELECT coalesce(json_object_agg(p.id, json_build_array(
           (SELECT min(x.date)::text FROM histories x WHERE x.product_id = p.id),
           k.date::text, k.stock::text, k.sale_price::text, k.total_sold_units::text, k.total_billing::text, w.since::text, w.sold, w.billing)), '{}')::text AS seeds
  FROM unnest($1::text[], $2::date[]) AS t(k, cut) JOIN products p ON p.external_id = t.k
  LEFT JOIN LATERAL (SELECT z.date, z.stock, z.sale_price, z.total_sold_units, z.total_billing FROM histories z
                     WHERE z.product_id = p.id AND z.date < t.cut AND NOT z.filled ORDER BY z.date DESC LIMIT 1) k ON true
  LEFT JOIN LATERAL (SELECT min(y.date) AS since, json_agg(y.sold_units::text ORDER BY y.date) AS sold, json_agg(y.billing::text ORDER BY y.date) AS billing
                     FROM (SELECT x.date, x.sold_units, x.billing FROM histories x WHERE x.product_id = p.id AND x.date <= k.date
                           ORDER BY x.date DESC LIMIT 30) y) w ON true`

/** The products TEST_MODE may pick from, by uuid (MAPPING.md, Accounting and runs). */
export const productsByUuid = `SELECT uuid::text AS uuid, platform, external_id FROM product WHERE uuid::text > $1 ORDER BY uuid LIMIT 1000`

export const countProducts = `SELECT count(*)::bigint AS n FROM product`
