#!/bin/sh
# npm run mutate: mutation testing, one folder at a time (stryker.config.mjs), smallest first. Pass folders
# to run only those, e.g. `npm run mutate -- sim/invariants`. Not part of CI: it takes hours on 2 cores.
set -e
folders="${*:-sim/invariants sim/orchestrator sim/faults models}"
for f in $folders; do
  echo "== mutate $f"
  MUTATE_FOLDER="$f" nice -n 15 npx stryker run
done
