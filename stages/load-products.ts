import { productsHandler } from "../src/load/handlers"
import { runLoaderStage } from "../src/load/stage"

runLoaderStage("load-products", productsHandler)
