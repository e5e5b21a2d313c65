import { multimediaTable } from "../src/load/child-rows"
import { childRowsHandler } from "../src/load/handlers"
import { runLoaderStage } from "../src/load/stage"
import { multimediaMessage } from "../src/messages/multimedia"

runLoaderStage("load-multimedia", (deps) => childRowsHandler(deps, "load-multimedia", multimediaTable, multimediaMessage, "multimedia_sig"))
