import { productsHandler } from "../src/load/handlers"
import { runLoaderStage } from "../src/pipeline/loader-stage"

runLoaderStage({
  stage: "load-products",
  writes: "upserts platform_countries, providers and products",
  concurrency: 1,
  handler: productsHandler,
})
