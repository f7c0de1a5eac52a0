#!/usr/bin/env bash
# Test the npm package as a user gets it: `npm pack` (which builds the release addon, see
# csops-node/package.json `prepack`), install the tarball into a fresh project outside the
# repository, and run the Node suite there against that install; then install the source
# folder (`npm install <path>`) into another fresh project.
#
#   bash scripts/test-node-package.sh
#
# Needs what scripts/test-node.sh needs (run it first: it installs the napi CLI). Prints the
# tarball's and the addon's sizes and the install times. The installed package has no
# panic-injection feature, so panics.test.mjs is left out there; scripts/test-node.sh runs it
# against the test build.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root/csops-node"
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false

work="$(mktemp -d "${TMPDIR:-/tmp}/csops-node-package.XXXXXX")"
trap 'rm -rf "$work"' EXIT

echo "== npm pack (release build) =="
started=$SECONDS
tarball="$(npm pack --pack-destination "$work" --silent | tail -n 1)"
tarball="$work/$tarball"
echo "packed $(basename "$tarball") in $((SECONDS - started)) s: $(du -h "$tarball" | cut -f1)," \
  "addon $(du -h ./*.node | cut -f1 | head -n 1)"
# The generated loader and types in the tarball are the committed ones.
if [[ -d "$root/.git" ]] && ! git -C "$root" diff --quiet -- csops-node/binding.js csops-node/binding.d.ts; then
  echo "test-node-package.sh: the release build changed binding.js / binding.d.ts; commit them" >&2
  git -C "$root" diff --stat -- csops-node/binding.js csops-node/binding.d.ts >&2
  exit 1
fi
listing="$(tar -tzf "$tarball")"
for f in package/index.js package/index.d.ts package/binding.js package/binding.d.ts package/scripts/install.cjs; do
  grep -qx "$f" <<<"$listing" || { echo "test-node-package.sh: $f is not in the tarball" >&2; exit 1; }
done
grep -q '^package/csops\..*\.node$' <<<"$listing" \
  || { echo "test-node-package.sh: no addon in the tarball" >&2; exit 1; }
if grep -q '^package/\(src\|__test__\|target\|node_modules\)/' <<<"$listing"; then
  echo "test-node-package.sh: the tarball carries sources or build files:" >&2
  grep '^package/\(src\|__test__\|target\|node_modules\)/' <<<"$listing" | head >&2
  exit 1
fi

echo "== the tarball in a fresh project =="
# The layout keeps the examples' relative path to the sample book (../../data/sample-book).
app="$work/x/app"
mkdir -p "$app"
ln -s "$root/data" "$work/x/data"
cd "$app"
npm init -y >/dev/null
started=$SECONDS
npm install "$tarball" >/dev/null
echo "installed in $((SECONDS - started)) s"
node -e 'const c = require("csops"); if (typeof c.loadBook !== "function") process.exit(1); console.log(`require("csops"): version ${c.version()}`)'
node --input-type=module -e 'import { Scorecard } from "csops"; if (!Scorecard.defaultHeuristic) process.exit(1)'
# The suite, against this install: the tests and examples are copied here, so `csops` is the
# installed package (not the checkout's), and read the repository's test data.
cp -r "$root/csops-node/__test__" "$root/csops-node/examples" "$app/"
tsc_version="$(node -p 'require(process.argv[1]).devDependencies.typescript' "$root/csops-node/package.json")"
npm install --save-dev "typescript@$tsc_version" >/dev/null
# panics.test.mjs needs the test build's panic injection and ran against it
# (scripts/test-node.sh): not here, where it could only skip.
rm "$app/__test__/panics.test.mjs"
CSOPS_WORKSPACE="$root" node --test __test__/*.test.mjs __test__/*.test.cjs
# The READMEs' snippets, against this install, from the repository root (where their paths lead).
python3 "$root/scripts/snippets.py" "$root/README.md" js --split "$app/snippets" readme
python3 "$root/scripts/snippets.py" "$root/csops-node/README.md" js --split "$app/snippets" package-readme
for snippet in "$app"/snippets/*.mjs; do
  echo "running $(basename "$snippet")"
  (cd "$root" && node "$snippet" > "$work/snippet.out" 2>&1) \
    || { cat "$work/snippet.out" >&2; echo "test-node-package.sh: $(basename "$snippet") failed" >&2; exit 1; }
done

echo "== npm install <source folder> in a fresh project =="
app2="$work/app2"
mkdir -p "$app2"
cd "$app2"
npm init -y >/dev/null
# With no addon in the folder (a fresh checkout), the install step builds one from source
# (release, cargo's cache of the build above is reused).
mkdir -p "$work/aside"
mv "$root"/csops-node/*.node "$work/aside/"
restore() { [[ -n "$(ls "$root"/csops-node/*.node 2>/dev/null)" ]] || mv "$work"/aside/*.node "$root/csops-node/"; }
started=$SECONDS
if ! npm install --foreground-scripts "$root/csops-node" >"$work/install.log" 2>&1; then
  cat "$work/install.log" >&2
  restore
  exit 1
fi
echo "installed from the folder (addon built from source) in $((SECONDS - started)) s"
grep -q "building the native addon from source" "$work/install.log" \
  || { echo "test-node-package.sh: the install step did not build the addon" >&2; cat "$work/install.log" >&2; restore; exit 1; }
restore
node -e 'const c = require("csops"); console.log(`require("csops") from the folder: version ${c.version()}`)'

echo "== node package: ok =="
