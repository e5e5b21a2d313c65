import * as Effect from "effect/Effect"
import { driverLog, parseFirst } from "../src/cli/process"
import { settingsHelp } from "../src/config/load"
import { parseDlqArgs, runDlq } from "../src/dlq/command"
import { abortable } from "../src/runtime/abortable"
import { runProcess } from "../src/runtime/stage"
import { RedisClient } from "../src/streams/client"
import { streamKeys } from "../src/streams/keys"

runProcess({
  name: "dlq",
  usage: `Usage: npm run dlq -- list  [--stage S] [--reason R] [--entity E] [--limit N] [--json [--payload]]
       npm run dlq -- retry [--stage S] [--reason R] [--entity E] [--id ID ...] [--json]
       npm run dlq -- purge [--stage S] [--reason R] [--entity E] [--id ID ...] [--yes] [--json]

Inspects and acts on the dead-letter stream: legacy rows the mapping rejected or dropped
(kind "rows", stage transform) and stream entries a stage could not process (kind "entry":
max_deliveries after MAX_RETRIES failed deliveries, product_not_loaded).

  list    the matching letters, oldest first: id, time, stage, entity, reason, rows, error,
          source entry and a short payload preview (default --limit 50); --payload adds the
          whole payload to --json output
  retry   re-publishes the matching letters after a fix and deletes them, atomically: an entry
          letter goes back to its source stream with its original fields; a rows letter's
          groups are read fresh from the legacy database and published to the extract stream
          for the current (or last) run. Then run \`npm run migrate\` to process them.
          Retrying twice is harmless: the second time finds nothing.
  purge   deletes the matching letters; purging every letter needs --yes

Filters: --stage (extract, transform, load-products, load-histories, load-multimedia),
--reason (e.g. invalid_price, orphan, max_deliveries), --entity (product, history,
gallery_item, gallery, group, entry), --id (letter ids, repeatable or space separated).

Exit status: 0 done; 1 failed; 2 bad argument or setting; 3 Redis or the legacy database unreachable.
retry of rows letters also reads:
${settingsHelp(["oldDatabaseUrl", "excludedPlatforms"])}`,
  settings: ["redisUrl", "streamPrefix"],
  logTo: "stderr",
  program: (s, log, args) => {
    const keys = streamKeys(s.streamPrefix)
    return parseFirst(() => parseDlqArgs(args)).pipe(
      Effect.flatMap((cmd) =>
        Effect.gen(function* () {
          const { client } = yield* RedisClient
          yield* abortable(() => runDlq(cmd, client, keys, driverLog(log)))
        }).pipe(Effect.provide(RedisClient.layer(s.redisUrl, `dlq:${s.streamPrefix}`, driverLog(log)))),
      ),
    )
  },
})
