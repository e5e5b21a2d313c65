import { multimediaId } from "../mapping/reference"
import type { V3Multimedia } from "../mapping/types"
import { childRowsCodec } from "./child-rows"
import { multimediaColumns } from "./columns"
import { positionKey } from "./runs"

/** A multimedia stream entry (transform → load-multimedia): every v3 multimedia row of its products. */
export const multimediaMessage = childRowsCodec<V3Multimedia>("multimedia", multimediaColumns, positionKey, (productId, position) => multimediaId(productId, Number(position)))
