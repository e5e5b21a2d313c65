import { historyId } from "../mapping/reference"
import type { V3History } from "../mapping/types"
import { childRowsCodec } from "./child-rows"
import { historyColumns } from "./columns"
import { dateKey } from "./runs"

/** A histories stream entry (transform → load-histories): every v3 history row of its products. */
export const historiesMessage = childRowsCodec<V3History>("histories", historyColumns, dateKey, (productId, date) => historyId(productId, String(date)))
