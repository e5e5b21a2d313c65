import type { Redis } from "ioredis"
import { createLogger } from "../../src/log/logger"
import type { Fields } from "../../src/messages/fields"
import type { ConsumerStage } from "../../src/pipeline/stages"
import { ack, Effects, publishPart } from "../../src/streams/ack"
import type { MessageHandler } from "../../src/streams/consumer"
import type { StreamKeys } from "../../src/streams/keys"

const log = createLogger({ name: "test", level: "silent" })

/**
 * Processes one entry a consumer of `stage` has read, the way the consumer loop does: decode,
 * handle, then acknowledge together with the handler's effects. Returns the rows it handled.
 */
export async function consumeOne<M>(client: Redis, keys: StreamKeys, stage: ConsumerStage, handler: MessageHandler<M>, entry: { id: string; fields: Fields }): Promise<number> {
  let parts = 0
  const ctx = {
    id: entry.id, deliveries: 1, log, effects: new Effects(),
    publishPart: async (effects: Effects) => void (await publishPart(client, keys, keys.input[stage], entry.id, ++parts, effects)),
  }
  const rows = await handler.handle(handler.decode(entry.fields), ctx)
  await ack(client, keys.input[stage], stage, entry.id, ctx.effects)
  return rows
}
