import { multimediaTable } from "../src/load/child-rows"
import { childRowsHandler } from "../src/load/handlers"
import { runLoaderStage } from "../src/pipeline/loader-stage"

runLoaderStage({
  stage: "load-multimedia",
  writes: "replaces each product's multimedia with the batch's rows",
  concurrency: 2,
  handler: (deps) => childRowsHandler(deps, "load-multimedia", multimediaTable, "multimedia_sig"),
})
