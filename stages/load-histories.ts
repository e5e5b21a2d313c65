import { historiesTable } from "../src/load/child-rows"
import { childRowsHandler } from "../src/load/handlers"
import { runLoaderStage } from "../src/load/stage"
import { historiesMessage } from "../src/messages/histories"

runLoaderStage("load-histories", (deps) => childRowsHandler(deps, "load-histories", historiesTable, historiesMessage, "histories_sig"))
