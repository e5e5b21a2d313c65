import { historiesTable } from "../src/load/child-rows"
import { childRowsHandler } from "../src/load/handlers"
import { runLoaderStage } from "../src/pipeline/loader-stage"

runLoaderStage({
  stage: "load-histories",
  writes: "replaces each product's histories with the batch's rows",
  concurrency: 2,
  handler: (deps) => childRowsHandler(deps, "load-histories", historiesTable, "histories_sig"),
})
