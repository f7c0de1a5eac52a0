#!/usr/bin/env bash
# Build the csops Node addon (csops-node) and run its tests.
#
# Works from any cwd. Installs the pinned JS tooling from the npm registry
# (as locked by csops-node/package-lock.json), builds the addon with
# `napi build` into the workspace target dir, and runs `node --test` (whose
# types.test.mjs also type-checks __test__/usage.ts against the generated
# index.d.ts (and the generated binding.d.ts it re-exports) with the pinned `tsc`).
#
# Environment:
#   CSOPS_NODE_RELEASE=1   build the release profile instead of debug.
#   CSOPS_NODE_SKIP_INSTALL=1  reuse an existing csops-node/node_modules.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root/csops-node"

for tool in node npm cargo; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "test-node.sh: '$tool' is not on PATH" >&2
    exit 127
  fi
done
echo "test-node.sh: node $(node --version), npm $(npm --version 2>/dev/null), $(cargo --version)"

# Fails (listing why) unless lock $2 has the same root entry as lock $1, pins
# every package of $1 at the same version and adds none but optional ones
# (platform builds a fuller registry may offer).
same_pins() {
  node -e '
    const fs = require("fs");
    const read = (f) => JSON.parse(fs.readFileSync(f, "utf8")).packages || {};
    const [before, after] = [read(process.argv[1]), read(process.argv[2])];
    const bad = [];
    // The root entry mirrors package.json (name, version, dependencies, ...).
    const canon = (v) => JSON.stringify(v, (k, x) =>
      x && typeof x === "object" && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort()) : x);
    if (canon(before[""]) !== canon(after[""])) bad.push("package.json differs from the lock root entry");
    for (const [p, m] of Object.entries(before))
      if (!after[p]) bad.push(`dropped ${p || "<root>"}`);
      else if (after[p].version !== m.version) bad.push(`${p || "<root>"}: ${m.version} -> ${after[p].version}`);
    for (const [p, m] of Object.entries(after))
      if (!before[p] && !m.optional) bad.push(`added ${p}@${m.version}`);
    if (bad.length) { console.error(bad.join("\n")); process.exit(1); }
  ' "$1" "$2"
}

if [[ "${CSOPS_NODE_SKIP_INSTALL:-0}" == 1 && -d node_modules ]]; then
  echo "test-node.sh: reusing existing node_modules"
elif [[ -f package-lock.json ]]; then
  # Why not `npm ci`: the registry mirror these machines reach lacks the
  # other-platform builds of some optional native deps of @napi-rs/cli
  # (@napi-rs/lzma-*, @napi-rs/tar-*, @napi-rs/wasm-tools-*), so the lock npm
  # writes here omits them and `npm ci` rejects it as "out of sync". A plain
  # `npm install` honours the lock just the same; we then insist that it
  # changed no pinned version, which is the guarantee `npm ci` gives.
  before="$(mktemp)"
  trap 'rm -f "$before"' EXIT  # (replaced below, keeping this file's removal)
  cp package-lock.json "$before"
  npm install --no-audit --no-fund
  if ! same_pins "$before" package-lock.json; then
    cp "$before" package-lock.json
    echo "test-node.sh: package-lock.json is out of date with package.json;" \
      "run 'npm install' in csops-node and commit the lock" >&2
    exit 1
  fi
  # Keep the committed lock byte for byte (npm may reformat metadata).
  cp "$before" package-lock.json
else
  npm install --no-audit --no-fund
fi

# Remove a stale addon so the tests can only see this build.
rm -f ./*.node

# `panic-injection`: the test build lets tests make the core panic (panics.test.mjs). Its
# loader and types are written beside the committed ones under other names (in the package
# folder, so the loader's relative paths are the same) and compared: the committed binding.js
# and binding.d.ts (the generated loader and types, which index.js and index.d.ts wrap) are the
# release build's (what users get), the same but for the test-only `armPanic`.
rm -f .test-build.binding.js .test-build.binding.d.ts
trap 'rm -f "${before:-}" .test-build.binding.js .test-build.binding.d.ts' EXIT
if [[ "${CSOPS_NODE_RELEASE:-0}" == 1 ]]; then
  npm run build:release -- --features panic-injection --js .test-build.binding.js --dts .test-build.binding.d.ts
else
  npm run build -- --features panic-injection --js .test-build.binding.js --dts .test-build.binding.d.ts
fi
for f in binding.js binding.d.ts; do
  [[ -f ".test-build.$f" ]] || { echo "test-node.sh: napi build did not generate .test-build.$f" >&2; exit 1; }
done
# The committed loader and types must be what these sources generate: outside CI they are
# brought up to date (commit them); in CI a difference fails.
node -e '
  const fs = require("fs");
  const ci = process.argv[1] === "true";
  const strip = {
    "binding.js": (t) => t.replace(/^module\.exports\.armPanic = .*\n/m, ""),
    "binding.d.ts": (t) => t.replace(/^\/\*\* Test builds only:.*\*\/\nexport declare function armPanic\(.*\n\n?/m, ""),
  };
  let stale = [];
  for (const [f, fix] of Object.entries(strip)) {
    const want = fix(fs.readFileSync(`.test-build.${f}`, "utf8"));
    if (want.includes("armPanic")) { console.error(`test-node.sh: cannot take armPanic out of ${f}`); process.exit(1); }
    const have = fs.existsSync(f) ? fs.readFileSync(f, "utf8") : null;
    if (have === want) continue;
    stale.push(f);
    if (!ci) fs.writeFileSync(f, want);
  }
  if (stale.length && ci) {
    console.error(`test-node.sh: ${stale.join(", ")} differ from what the sources generate; run scripts/test-node.sh (or npm run build:release) in csops-node and commit them`);
    process.exit(1);
  }
  if (stale.length) console.error(`test-node.sh: updated ${stale.join(", ")} (commit them)`);
' "${CI:-}"

# The build has the panic-injection feature: panics.test.mjs must run, not skip. With
# CSOPS_NODE_PANICS_ONLY=1 (the test command, scripts/test-all.sh) only it runs here: the rest
# runs against the installed npm tarball (scripts/test-node-package.sh).
if [[ "${CSOPS_NODE_PANICS_ONLY:-0}" == 1 ]]; then
  CSOPS_PANIC_INJECTION=1 node --test __test__/panics.test.mjs
else
  CSOPS_PANIC_INJECTION=1 npm test
fi
