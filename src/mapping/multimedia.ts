import { isJsonObject, ownField, readJsonb } from "./json"
import { type CountryCode, multimediaId } from "./reference"
import { finalUrl, mediaType, readReference } from "./urls"
import type { MigratedProduct, V3Multimedia } from "./types"

export interface ProductGallery {
  multimedia: V3Multimedia[]
  gallery: MigratedProduct["gallery"]
}

/**
 * MAPPING.md Multimedia: `gallery` is an array or a JSON string holding one; unparsable or not an
 * array → invalid (`invalid_gallery`), no multimedia, the product still migrates. Items in array
 * order: rule 1 (reference), 2 (host), 3 (original_url, type), 4 (duplicates, positions).
 */
export function mapGallery(productId: string, country: CountryCode, gallery: unknown, bucket: string): ProductGallery {
  const read = readJsonb(gallery)
  if (!read.ok || !Array.isArray(read.value)) return { multimedia: [], gallery: { invalid: true, dropped: [] } }
  const items: readonly unknown[] = read.value
  const multimedia: V3Multimedia[] = []
  const dropped: ProductGallery["gallery"]["dropped"] = []
  const seen = new Set<string>()
  items.forEach((item, index) => {
    if (!isJsonObject(item)) {
      dropped.push({ index, item, reason: "invalid_url" })
      return
    }
    // Rule 1: the first of url and sourceUrl that is a reference.
    const source = readReference(ownField(item, "sourceUrl"))
    const ref = readReference(ownField(item, "url")) ?? source
    if (ref === null) {
      dropped.push({ index, item, reason: "invalid_url" })
      return
    }
    const url = finalUrl(ref, country, bucket)
    // Rule 4: later repeats of the same final url.
    if (seen.has(url)) {
      dropped.push({ index, item, reason: "duplicate" })
      return
    }
    seen.add(url)
    const position = multimedia.length
    multimedia.push({
      id: multimediaId(productId, position),
      product_id: productId,
      position,
      type: mediaType(url),
      url,
      // Rule 3: sourceUrl trimmed, not rewritten, when it is a reference.
      original_url: source === null ? null : source.text,
      extracted: false,
    })
  })
  return { multimedia, gallery: { invalid: false, dropped } }
}
