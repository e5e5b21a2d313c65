import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { driverLog, parseFirst } from "../src/cli/process"
import { LegacyDb } from "../src/db/legacy/client"
import { V3Db } from "../src/db/v3/client"
import { mappingConfig } from "../src/mapping/config"
import { abortable } from "../src/runtime/abortable"
import { runProcess } from "../src/runtime/stage"
import { verifyCommand } from "../src/verify/command"
import { parseVerifyArgs } from "../src/verify/options"

runProcess({
  name: "verify",
  usage: `Usage: npm run verify -- [--full | --sample N | --sample N%] [--limit N] [--json]

Reconciles v3 with the legacy database, recomputing what v3 must hold from the legacy rows
through the mapping (src/mapping, the same code transform runs):
  - every legacy product is accounted for as migrated, excluded or rejected (counts by reason);
    one rejected now that an earlier run migrated keeps that version: counted, not compared;
  - every v3 product has its legacy source (its id a legacy uuid the contract migrates);
  - products, providers, platform_countries and multimedia of every group, and histories of a
    sample of groups, compared field by field; rows v3 holds that the contract does not
    produce are differences too.
Run it after \`npm run migrate\` finished: rows still in flight show up as differences.
With TEST_MODE=true it checks the TEST_MODE selection only.

  --full        compare the histories of every group (default: 2% of the groups, at least 200)
  --sample N    compare the histories of about N groups (N% for a percentage)
  --limit N     show the first N differences (default 20)
  --json        print one JSON document (shape: docs/OPERATIONS.md)

Exit status: 0 v3 matches; 1 differences found (or a failure); 2 bad argument or setting;
3 a database unreachable.`,
  settings: ["oldDatabaseUrl", "productsDatabaseUrl", "testMode", "excludedPlatforms", "legacyS3Bucket"],
  logTo: "stderr",
  program: (s, log, args) =>
    parseFirst(() => parseVerifyArgs(args)).pipe(
      Effect.flatMap((opts) =>
        Effect.gen(function* () {
          const { pool: legacy } = yield* LegacyDb
          const { pool: v3 } = yield* V3Db
          const mapping = mappingConfig({ excludedPlatforms: s.excludedPlatforms, legacyS3Bucket: s.legacyS3Bucket })
          yield* abortable((signal) => verifyCommand({ legacy, v3, mapping, testMode: s.testMode }, opts, signal))
        }).pipe(
          Effect.provide(
            Layer.mergeAll(
              LegacyDb.layer(s.oldDatabaseUrl, driverLog(log), "verify", 8),
              V3Db.layer(s.productsDatabaseUrl, driverLog(log), "verify", 10),
            ),
          ),
        ),
      ),
    ),
})
