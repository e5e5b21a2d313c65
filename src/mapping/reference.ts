/**
 * v3 reference data (MAPPING.md, "Reference data"). One source for the migration that seeds the
 * tables and for the mapping rules that point at them. Ids are this project's choice: readable
 * and stable, so a re-run or a second database produce the same ids.
 */

export const platformTypes = [
  "DROPI",
  "ALICLICK",
  "DROPLATAM",
  "SEVENTY_BLOCK",
  "WIMPY",
  "EASYDROP",
  "MASTERSHOP",
  "DROPEA",
] as const
export type PlatformType = (typeof platformTypes)[number]

export const platforms: ReadonlyArray<{ id: PlatformType; type: PlatformType; name: string }> = [
  { id: "DROPI", type: "DROPI", name: "Dropi" },
  { id: "ALICLICK", type: "ALICLICK", name: "Aliclick" },
  { id: "DROPLATAM", type: "DROPLATAM", name: "Droplatam" },
  { id: "SEVENTY_BLOCK", type: "SEVENTY_BLOCK", name: "Seventy Block" },
  { id: "WIMPY", type: "WIMPY", name: "Wimpy" },
  { id: "EASYDROP", type: "EASYDROP", name: "Easydrop" },
  { id: "MASTERSHOP", type: "MASTERSHOP", name: "Mastershop" },
  { id: "DROPEA", type: "DROPEA", name: "Dropea" },
]

export const countryCodes = ["CO", "MX", "EC", "CL", "PE", "PA", "GT", "PY", "AR", "ES"] as const
export type CountryCode = (typeof countryCodes)[number]

export const countries: ReadonlyArray<{ id: CountryCode; code: CountryCode; name: string; currency: string }> = [
  { id: "CO", code: "CO", name: "Colombia", currency: "COP" },
  { id: "MX", code: "MX", name: "México", currency: "MXN" },
  { id: "EC", code: "EC", name: "Ecuador", currency: "USD" },
  { id: "CL", code: "CL", name: "Chile", currency: "CLP" },
  { id: "PE", code: "PE", name: "Perú", currency: "PEN" },
  { id: "PA", code: "PA", name: "Panamá", currency: "USD" },
  { id: "GT", code: "GT", name: "Guatemala", currency: "GTQ" },
  { id: "PY", code: "PY", name: "Paraguay", currency: "PYG" },
  { id: "AR", code: "AR", name: "Argentina", currency: "ARS" },
  { id: "ES", code: "ES", name: "España", currency: "EUR" },
]

export const baseCategories: ReadonlyArray<{ id: string; name: string }> = [
  { id: "hogar", name: "Hogar" },
  { id: "belleza", name: "Belleza" },
  { id: "salud", name: "Salud" },
  { id: "tecnologia", name: "Tecnología" },
  { id: "mascotas", name: "Mascotas" },
  { id: "jugueteria", name: "Juguetería" },
  { id: "deportes", name: "Deportes" },
  { id: "moda", name: "Moda" },
  { id: "bebes", name: "Bebés" },
  { id: "cocina", name: "Cocina" },
  { id: "herramientas", name: "Herramientas" },
  { id: "vehiculos", name: "Vehículos" },
  { id: "oficina", name: "Oficina" },
  { id: "electrodomesticos", name: "Electrodomésticos" },
  { id: "accesorios", name: "Accesorios" },
  { id: "otro", name: "Otro" },
]

export const productStatuses = ["ACTIVE", "INACTIVE", "BLOCKED"] as const
export type ProductStatus = (typeof productStatuses)[number]

/** Ids of rows created on demand; the separators cannot be confused because both parts are fixed width or fixed set. */
export const platformCountryId = (platform: PlatformType, country: CountryCode): string => `${platform}:${country}`
export const providerId = (platformCountryIdValue: string, externalId: string): string =>
  `${platformCountryIdValue}:${externalId}`
export const historyId = (productId: string, date: string): string => `${productId}:${date}`
export const multimediaId = (productId: string, position: number): string => `${productId}:${position}`

/** MAPPING.md, Provider: the platform-country's fallback provider. */
export const unknownProvider = { externalId: "unknown", name: "Proveedor desconocido", verified: false } as const
