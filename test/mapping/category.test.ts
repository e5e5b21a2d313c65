import { describe, expect, it } from "vitest"
import { baseCategories, categoryId, categoryKey } from "../../src/mapping"

describe("MAPPING.md Products, Category", () => {
  it.each(baseCategories.map((c) => [c.name, c.id]))("matches the base category name %j to %s", (name, id) => {
    expect(categoryId([{ name }])).toBe(id)
  })

  it.each([
    ["tecnologia", "tecnologia"],
    ["TECNOLOGÍA", "tecnologia"],
    ["  Tecnología  ", "tecnologia"],
    ["JUGUETERIA", "jugueteria"],
    ["bebes", "bebes"],
    ["Vehiculos", "vehiculos"],
    ["ELECTRODOMÉSTICOS", "electrodomesticos"],
    ["salud", "salud"],
  ])("matches %j lower-cased, accents removed, normalized → %s", (name, id) => {
    expect(categoryId([{ name }])).toBe(id)
  })

  it.each([
    ["bienestar y salud", "salud"],
    ["Bienestar  y  Salud", "salud"],
    ["vehiculo", "vehiculos"],
    ["Vehículo", "vehiculos"],
    ["cuidado personal", "belleza"],
    ["belleza cuidado personal", "belleza"],
    ["capilar", "belleza"],
    ["libros", "hogar"],
    ["juegos", "jugueteria"],
    ["juguetes", "jugueteria"],
    ["halloween", "jugueteria"],
    ["Navidad", "jugueteria"],
    ["desarrollo", "tecnologia"],
    ["importados", "otro"],
  ])("maps the alias %j to %s", (name, id) => {
    expect(categoryId([{ name }])).toBe(id)
  })

  it.each([
    ["a double-encoded array", JSON.stringify([{ name: "Mascotas", externalId: "3" }]), "mascotas"],
    ["only the first element", [{ name: "Cocina" }, { name: "Hogar" }], "cocina"],
    ["an unknown name → Otro", [{ name: "Ferretería industrial" }], "otro"],
    ["an empty array → Otro", [], "otro"],
    ["an empty double-encoded array → Otro", "[]", "otro"],
    ["unparsable JSON → Otro", "[{name: Hogar", "otro"],
    ["a plain string → Otro", "Hogar", "otro"],
    ["an object instead of an array → Otro", { name: "Hogar" }, "otro"],
    ["a first element without a name → Otro", [{ externalId: "1" }, { name: "Hogar" }], "otro"],
    ["a non-string name → Otro", [{ name: 5 }], "otro"],
    ["a null name → Otro", [{ name: null }], "otro"],
    ["a first element that is a string → Otro", ["Hogar"], "otro"],
    ["null → Otro", null, "otro"],
    ["an empty name → Otro", [{ name: "  " }], "otro"],
    ["a name with an accent the rule does not remove → Otro", [{ name: "Hogàr" }], "otro"],
  ])("reads %s", (_label, categories, id) => {
    expect(categoryId(categories)).toBe(id)
  })

  it("lower-cases before removing accents, so upper-case accented letters are covered", () => {
    expect(categoryKey("ÁÉÍÓÚÜÑ  x")).toBe("aeiouun x")
  })
})
