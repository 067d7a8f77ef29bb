#!/usr/bin/env bash
# Builds errorbudget for production into OUT_DIR (default ./build): dependencies exactly as locked,
# the TypeScript compiled, dev dependencies left out, then a smoke check of the result. The Dockerfile
# runs this script, and so do the tests and CI on a clean checkout, so the image's build cannot rot.
# Needs Node (see package.json "engines"), npm, and a C++ toolchain for better-sqlite3 (python3, make, g++).
set -euo pipefail

src="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$src/build}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
[ "$out" != "$src" ] || { echo "build.sh: OUT_DIR must not be the source folder" >&2; exit 1; }

cd "$src"
npm ci --no-audit --no-fund
npm run build

# The runtime: compiled code, assets, the shipped content, and production dependencies only.
rm -rf "$out/bin" "$out/dist" "$out/assets" "$out/content" "$out/node_modules"
cp -R bin dist assets content package.json package-lock.json README.md "$out/"
cp -R node_modules "$out/node_modules"
(cd "$out" && npm prune --omit=dev --no-audit --no-fund)

# Smoke check: the command starts and the shipped content is valid.
node "$out/bin/errorbudget.js" --version
(cd "$out" && node bin/errorbudget.js check --content content)
echo "build.sh: errorbudget built into $out"
