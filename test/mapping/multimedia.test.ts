import { describe, expect, it } from "vitest"
import { cloudFrontHost, finalUrl, mapGallery, mediaType, readReference } from "../../src/mapping"
import type { CountryCode } from "../../src/mapping"

const CO = "d39ru7awumhhs2.cloudfront.net"
const AR = "d33yjn72e20ec6.cloudfront.net"
const GT = "d2ob47cxeawi8a.cloudfront.net"

describe("MAPPING.md Multimedia rule 1: references", () => {
  it.each([
    ["an https URL", " https://cdn.example.com/a.jpg ", { kind: "url", text: "https://cdn.example.com/a.jpg" }],
    ["an http URL", "http://cdn.example.com/a.jpg", { kind: "url", text: "http://cdn.example.com/a.jpg" }],
    ["an upper-case scheme", "HTTPS://cdn.example.com/a.jpg", { kind: "url", text: "HTTPS://cdn.example.com/a.jpg" }],
    ["a host-only URL", "https://cdn.example.com", { kind: "url", text: "https://cdn.example.com" }],
    ["a protocol-relative URL", "//cdn.example.com/a.jpg", { kind: "protocol-relative", text: "//cdn.example.com/a.jpg" }],
    ["a relative path", "products/1/a.jpg", { kind: "relative", text: "products/1/a.jpg", path: "products/1/a.jpg" }],
    ["a relative path with a leading /", "/products/1/a.jpg", { kind: "relative", text: "/products/1/a.jpg", path: "products/1/a.jpg" }],
    ["a relative path losing only ONE leading /", "///a.jpg", { kind: "relative", text: "///a.jpg", path: "//a.jpg" }],
    ["a trimmed relative path", "\ta.jpg\n", { kind: "relative", text: "a.jpg", path: "a.jpg" }],
  ])("reads %s as a reference", (_label, value, expected) => {
    expect(readReference(value)).toEqual(expected)
  })

  it.each([
    ["URL_NOT_FOUND", "URL_NOT_FOUND"],
    ["url_not_found in lower case", " url_not_found "],
    ["null", "null"],
    ["NULL", "NULL"],
    ["undefined", "Undefined"],
    ["an empty string", ""],
    ["blanks", "   "],
    ["a data: URI", "data:image/png;base64,AAAA"],
    ["text with spaces", "imagen no disponible"],
    ["a relative path with a colon", "c:/images/a.jpg"],
    ["another scheme", "ftp://host/a.jpg"],
    ["an http URL without a host", "http:///a.jpg"],
    ["a bare /", "/"],
    ["a number", 5],
    ["JSON null", null],
    ["an object", { url: "a.jpg" }],
  ])("does not read %s as a reference", (_label, value) => {
    expect(readReference(value)).toBeNull()
  })
})

describe("MAPPING.md Multimedia rule 2: host", () => {
  it.each([
    ["AR", AR],
    ["GT", GT],
    ["CO", CO],
    ["MX", CO],
    ["ES", CO],
  ] as const)("serves %s from %s", (country, host) => {
    expect(cloudFrontHost(country)).toBe(host)
  })

  const url = (value: string, country: CountryCode = "CO", bucket = "dropkiller"): string => {
    const ref = readReference(value)
    if (ref === null) throw new Error(`not a reference: ${value}`)
    return finalUrl(ref, country, bucket)
  }

  it.each([
    ["a relative path", "products/1/a.jpg", `https://${CO}/products/1/a.jpg`],
    ["a relative path with a leading /", "/products/1/a.jpg", `https://${CO}/products/1/a.jpg`],
    ["BUCKET.s3.amazonaws.com/KEY", "https://dropkiller.s3.amazonaws.com/products/1/a.jpg", `https://${CO}/products/1/a.jpg`],
    ["BUCKET.s3.REGION.amazonaws.com/KEY", "https://dropkiller.s3.us-east-1.amazonaws.com/p/a.jpg", `https://${CO}/p/a.jpg`],
    ["s3.amazonaws.com/BUCKET/KEY", "https://s3.amazonaws.com/dropkiller/p/a.jpg", `https://${CO}/p/a.jpg`],
    ["s3.REGION.amazonaws.com/BUCKET/KEY", "http://s3.sa-east-1.amazonaws.com/dropkiller/p/a.jpg", `https://${CO}/p/a.jpg`],
    ["a legacy-bucket URL over http", "http://dropkiller.s3.amazonaws.com/p/a.jpg", `https://${CO}/p/a.jpg`],
    ["a protocol-relative legacy-bucket URL", "//dropkiller.s3.amazonaws.com/p/a.jpg", `https://${CO}/p/a.jpg`],
    ["a legacy-bucket host in upper case", "HTTPS://DropKiller.S3.US-EAST-1.AmazonAWS.com/p/A.jpg", `https://${CO}/p/A.jpg`],
    ["a legacy-bucket URL with query and fragment", "https://dropkiller.s3.amazonaws.com/p/a.jpg?X-Amz-Signature=1#top", `https://${CO}/p/a.jpg`],
    ["a legacy-bucket URL with a fragment only", "https://dropkiller.s3.amazonaws.com/p/a.jpg#x", `https://${CO}/p/a.jpg`],
    ["another bucket's URL (http → https)", "http://other.s3.amazonaws.com/p/a.jpg", "https://other.s3.amazonaws.com/p/a.jpg"],
    ["another bucket, path style, kept", "https://s3.amazonaws.com/other/p/a.jpg", "https://s3.amazonaws.com/other/p/a.jpg"],
    ["a bucket-prefixed host that is not the bucket", "https://dropkiller2.s3.amazonaws.com/p/a.jpg", "https://dropkiller2.s3.amazonaws.com/p/a.jpg"],
    ["a legacy-bucket URL without a key", "https://dropkiller.s3.amazonaws.com/", "https://dropkiller.s3.amazonaws.com/"],
    ["an http URL elsewhere → https", "http://cdn.example.com/a.jpg?x=1", "https://cdn.example.com/a.jpg?x=1"],
    ["an upper-case HTTP scheme → https", "HTTP://cdn.example.com/a.jpg", "https://cdn.example.com/a.jpg"],
    ["an https URL elsewhere unchanged", "https://cdn.example.com/a.jpg?x=1#y", "https://cdn.example.com/a.jpg?x=1#y"],
    ["a protocol-relative URL elsewhere → https:", "//cdn.example.com/a.jpg", "https://cdn.example.com/a.jpg"],
  ])("rewrites %s", (_label, value, expected) => {
    expect(url(value)).toBe(expected)
  })

  it("uses the product's country host and the configured LEGACY_S3_BUCKET", () => {
    expect(url("a.jpg", "AR")).toBe(`https://${AR}/a.jpg`)
    expect(url("https://s3.amazonaws.com/dropkiller/a.jpg", "GT")).toBe(`https://${GT}/a.jpg`)
    expect(url("https://media.s3.amazonaws.com/a.jpg", "CO", "media")).toBe(`https://${CO}/a.jpg`)
    expect(url("https://dropkiller.s3.amazonaws.com/a.jpg", "CO", "media")).toBe("https://dropkiller.s3.amazonaws.com/a.jpg")
  })
})

describe("MAPPING.md Multimedia rule 3: type", () => {
  it.each([
    ["https://h/a.mp4", "video"],
    ["https://h/a.MOV", "video"],
    ["https://h/a.avi?x=1", "video"],
    ["https://h/dir/clip.webm#t=3", "video"],
    ["https://h/a.jpg", "image"],
    ["https://h/a.mp4.jpg", "image"],
    ["https://h/a.jpg?format=.mp4", "image"],
    ["https://video.mp4", "image"],
    ["https://h/mp4", "image"],
  ])("types %s as %s", (url, type) => {
    expect(mediaType(url)).toBe(type)
  })
})

describe("MAPPING.md Multimedia: the gallery of a product", () => {
  it("keeps references in order, rewrites them, records original_url and drops the rest with a reason", () => {
    const gallery = [
      { url: "products/1/a.jpg", sourceUrl: "  https://supplier.example/a.jpg  " },
      { url: "URL_NOT_FOUND", sourceUrl: "https://supplier.example/b.mp4" },
      "not an object",
      { url: "", sourceUrl: "imagen no disponible" },
      { url: "/products/1/a.jpg" },
      { url: "https://dropkiller.s3.amazonaws.com/products/1/c.jpg?sig=1", sourceUrl: "null" },
      null,
      ["products/1/d.jpg"],
      { url: "data:image/png;base64,AA", sourceUrl: "//cdn.example.com/e.png" },
    ]
    expect(mapGallery("p", "CO", gallery, "dropkiller")).toEqual({
      multimedia: [
        { id: "p:0", product_id: "p", position: 0, type: "image", url: `https://${CO}/products/1/a.jpg`, original_url: "https://supplier.example/a.jpg", extracted: false },
        { id: "p:1", product_id: "p", position: 1, type: "video", url: "https://supplier.example/b.mp4", original_url: "https://supplier.example/b.mp4", extracted: false },
        { id: "p:2", product_id: "p", position: 2, type: "image", url: `https://${CO}/products/1/c.jpg`, original_url: null, extracted: false },
        { id: "p:3", product_id: "p", position: 3, type: "image", url: "https://cdn.example.com/e.png", original_url: "//cdn.example.com/e.png", extracted: false },
      ],
      gallery: {
        invalid: false,
        dropped: [
          { index: 2, item: "not an object", reason: "invalid_url" },
          { index: 3, item: { url: "", sourceUrl: "imagen no disponible" }, reason: "invalid_url" },
          { index: 4, item: { url: "/products/1/a.jpg" }, reason: "duplicate" },
          { index: 6, item: null, reason: "invalid_url" },
          { index: 7, item: ["products/1/d.jpg"], reason: "invalid_url" },
        ],
      },
    })
  })

  it("treats two spellings of one final url as duplicates (S3 and relative)", () => {
    const result = mapGallery("p", "AR", [{ url: "https://s3.amazonaws.com/dropkiller/x.jpg" }, { url: "x.jpg" }], "dropkiller")
    expect(result.multimedia.map((m) => m.url)).toEqual([`https://${AR}/x.jpg`])
    expect(result.gallery.dropped.map((d) => [d.index, d.reason])).toEqual([[1, "duplicate"]])
  })

  it("reads a double-encoded gallery", () => {
    expect(mapGallery("p", "CO", JSON.stringify([{ url: "a.jpg" }]), "dropkiller").multimedia.map((m) => m.url)).toEqual([`https://${CO}/a.jpg`])
  })

  it.each([
    ["unparsable JSON", "[{url: a.jpg"],
    ["an object", { url: "a.jpg" }],
    ["a double-encoded object", '{"url":"a.jpg"}'],
    ["null", null],
    ["a number", 3],
  ])("marks %s as an invalid gallery with no multimedia", (_label, gallery) => {
    expect(mapGallery("p", "CO", gallery, "dropkiller")).toEqual({ multimedia: [], gallery: { invalid: true, dropped: [] } })
  })

  it("gives an empty array no multimedia and no invalid flag", () => {
    expect(mapGallery("p", "CO", [], "dropkiller")).toEqual({ multimedia: [], gallery: { invalid: false, dropped: [] } })
  })
})
