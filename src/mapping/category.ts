import { isJsonObject, ownField, readJsonb } from "./json"
import { baseCategories } from "./reference"
import { normalizeText } from "./text"

// MAPPING.md Products, Category: only these accents are removed.
const accents: Readonly<Record<string, string>> = { á: "a", é: "e", í: "i", ó: "o", ú: "u", ü: "u", ñ: "n" }

/**
 * A category name as MAPPING.md compares it: lower-cased FIRST (so Á, É, Ñ … are covered), the
 * accents á é í ó ú ü ñ removed, then normalized.
 */
export function categoryKey(name: string): string {
  return normalizeText(name.toLowerCase().replace(/[áéíóúüñ]/g, (ch) => accents[ch] ?? ch))
}

const idByName = new Map<string, string>(baseCategories.map((c) => [c.name, c.id]))

function baseId(name: string): string {
  const id = idByName.get(name)
  if (id === undefined) throw new Error(`base category '${name}' is not in reference.ts`)
  return id
}

export const otherCategoryId = baseId("Otro")

// MAPPING.md Products, Category: aliases, consulted when no base category name matches.
const aliases: ReadonlyArray<readonly [string, string]> = [
  ["bienestar y salud", "Salud"],
  ["vehiculo", "Vehículos"],
  ["cuidado personal", "Belleza"],
  ["belleza cuidado personal", "Belleza"],
  ["capilar", "Belleza"],
  ["libros", "Hogar"],
  ["juegos", "Juguetería"],
  ["juguetes", "Juguetería"],
  ["halloween", "Juguetería"],
  ["navidad", "Juguetería"],
  ["desarrollo", "Tecnología"],
  ["importados", "Otro"],
]

const baseByKey = new Map<string, string>(baseCategories.map((c) => [categoryKey(c.name), c.id]))
const aliasByKey = new Map<string, string>(aliases.map(([alias, name]) => [alias, baseId(name)]))

/** The base category id for a category name: base names first, then the aliases, else Otro. */
export function categoryIdForName(name: string): string {
  const key = categoryKey(name)
  return baseByKey.get(key) ?? aliasByKey.get(key) ?? otherCategoryId
}

/**
 * MAPPING.md Products, Category: `categories` is an array or a JSON string holding one; the first
 * element's string `name` decides. Anything odd (unparsable, not an array, empty, no string name)
 * → Otro; a category never rejects a product.
 */
export function categoryId(categories: unknown): string {
  const read = readJsonb(categories)
  if (!read.ok || !Array.isArray(read.value)) return otherCategoryId
  const first: unknown = read.value[0]
  if (!isJsonObject(first)) return otherCategoryId
  const name = ownField(first, "name")
  return typeof name === "string" ? categoryIdForName(name) : otherCategoryId
}
