import type { CountryCode } from "./reference"

/** MAPPING.md Multimedia rule 1: what a gallery field holds when it is a reference. */
export type Reference =
  /** `http(s)://host…`, trimmed. */
  | { kind: "url"; text: string }
  /** `//host…`, trimmed. */
  | { kind: "protocol-relative"; text: string }
  /** A relative path, trimmed, ONE leading `/` removed. */
  | { kind: "relative"; text: string; path: string }

const sentinels: ReadonlySet<string> = new Set(["url_not_found", "null", "undefined"])
const httpScheme = /^https?:\/\//i

/** The authority (up to the first `/`, `?` or `#`) and what follows it, of a URL without its `scheme://`. */
function splitAuthority(rest: string): { authority: string; tail: string } {
  const end = rest.search(/[/?#]/)
  return end < 0 ? { authority: rest, tail: "" } : { authority: rest.slice(0, end), tail: rest.slice(end) }
}

/** Host of an authority: user info and port removed. */
function hostOf(authority: string): string {
  return authority.replace(/^.*@/, "").replace(/:\d*$/, "")
}

/**
 * MAPPING.md Multimedia rule 1. Decision: the value must be a string; it is trimmed; the sentinels
 * URL_NOT_FOUND, null, undefined (any letter case) are not references; `http(s)://` (scheme in
 * any case) and `//` need a non-empty host; otherwise a relative path has no whitespace and no
 * `:`, loses ONE leading `/`, and must be non-empty after that.
 */
export function readReference(value: unknown): Reference | null {
  if (typeof value !== "string") return null
  const text = value.trim()
  if (text === "" || sentinels.has(text.toLowerCase())) return null
  const scheme = httpScheme.exec(text)
  if (scheme && hostOf(splitAuthority(text.slice(scheme[0].length)).authority) !== "") return { kind: "url", text }
  if (text.startsWith("//") && hostOf(splitAuthority(text.slice(2)).authority) !== "")
    return { kind: "protocol-relative", text }
  if (/[\s:]/.test(text)) return null
  const path = text.startsWith("/") ? text.slice(1) : text
  return path === "" ? null : { kind: "relative", text, path }
}

/** MAPPING.md Multimedia rule 2: the CloudFront host serving the product's country. */
export function cloudFrontHost(country: CountryCode): string {
  if (country === "AR") return "d33yjn72e20ec6.cloudfront.net"
  if (country === "GT") return "d2ob47cxeawi8a.cloudfront.net"
  return "d39ru7awumhhs2.cloudfront.net"
}

const region = /^[a-z0-9-]+$/

/**
 * The object key when `url` (scheme already removed) is in one of the four legacy-bucket forms of
 * MAPPING.md Multimedia rule 2, else null. The host is compared case-insensitively, the key is
 * the path without query and fragment and must be non-empty.
 */
export function legacyBucketKey(rest: string, bucket: string): string | null {
  const { authority, tail } = splitAuthority(rest)
  const host = authority.toLowerCase()
  const b = bucket.toLowerCase()
  const qf = tail.search(/[?#]/)
  const path = qf < 0 ? tail : tail.slice(0, qf)
  let key: string | null = null
  if (isS3Host(host, `${b}.s3.`)) key = path.startsWith("/") ? path.slice(1) : null
  else if (isS3Host(host, "s3.")) key = path.startsWith(`/${bucket}/`) ? path.slice(bucket.length + 2) : null
  return key === "" ? null : key
}

/** `PREFIXamazonaws.com` or `PREFIX` + REGION + `.amazonaws.com`. */
function isS3Host(host: string, prefix: string): boolean {
  if (!host.startsWith(prefix) || !host.endsWith(".amazonaws.com")) return false
  if (host === `${prefix}amazonaws.com`) return true
  const middle = host.slice(prefix.length, host.length - ".amazonaws.com".length)
  return region.test(middle)
}

/** MAPPING.md Multimedia rule 2: the v3 `url` of a reference for a product of `country`. */
export function finalUrl(ref: Reference, country: CountryCode, bucket: string): string {
  const host = cloudFrontHost(country)
  if (ref.kind === "relative") return `https://${host}/${ref.path}`
  const rest = ref.kind === "url" ? ref.text.slice(ref.text.indexOf("//") + 2) : ref.text.slice(2)
  const key = legacyBucketKey(rest, bucket)
  if (key !== null) return `https://${host}/${key}`
  if (ref.kind === "protocol-relative") return `https:${ref.text}`
  return /^http:/i.test(ref.text) ? `https:${ref.text.slice(5)}` : ref.text
}

/** The path of an absolute or protocol-relative URL, without query and fragment. */
export function urlPath(url: string): string {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(url)
  const rest = scheme ? url.slice(scheme[0].length) : url.startsWith("//") ? url.slice(2) : url
  const { tail } = splitAuthority(rest)
  const qf = tail.search(/[?#]/)
  return qf < 0 ? tail : tail.slice(0, qf)
}

const videoExtensions = [".mp4", ".mov", ".avi", ".webm"] as const

/** MAPPING.md Multimedia rule 3: video when the final URL's path, lower-cased, ends in a video extension. */
export function mediaType(url: string): "image" | "video" {
  const path = urlPath(url).toLowerCase()
  return videoExtensions.some((ext) => path.endsWith(ext)) ? "video" : "image"
}
