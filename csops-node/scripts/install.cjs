// The package's `install` step: make sure a native addon is there for this machine.
//
// - The npm tarball (`npm pack`) carries a release addon: nothing to do.
// - `npm install <path to csops-node>` of a source checkout has none until it is built: this
//   builds it from source, in release, with the machine's Rust toolchain (`cargo`), and puts
//   it where the loader (`index.js`) looks for it.
// - In the package's own checkout (`npm install` run inside csops-node) nothing is built:
//   developers build with `npm run build` (debug) or `npm run build:release`.
//
// Set CSOPS_NODE_SKIP_BUILD=1 to skip the build (the loader then says what is missing).
'use strict';

const { spawnSync } = require('node:child_process');
const { copyFileSync, existsSync, realpathSync } = require('node:fs');
const { join } = require('node:path');

const packageDir = join(__dirname, '..');

/** The file name `index.js` loads on this platform (napi's `<binaryName>.<platform>.node`). */
function addonName() {
  const { platform, arch } = process;
  let abi = '';
  if (platform === 'linux') {
    const glibc = process.report?.getReport?.().header?.glibcVersionRuntime;
    abi = glibc ? '-gnu' : '-musl';
  } else if (platform === 'win32') {
    abi = '-msvc';
  }
  return `csops.${platform}-${arch}${abi}.node`;
}

/** The library cargo writes for the csops-node crate on this platform. */
function libraryName() {
  if (process.platform === 'win32') return 'csops_node.dll';
  if (process.platform === 'darwin') return 'libcsops_node.dylib';
  return 'libcsops_node.so';
}

function samePath(a, b) {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
}

function main() {
  const addon = join(packageDir, addonName());
  if (existsSync(addon)) return 0;
  if (process.env.CSOPS_NODE_SKIP_BUILD === '1') return 0;
  // `npm install` inside the checkout itself: a developer's install of the dev tools.
  if (process.env.INIT_CWD && samePath(process.env.INIT_CWD, packageDir)) return 0;

  const manifest = join(packageDir, 'Cargo.toml');
  if (!existsSync(manifest) || !existsSync(join(packageDir, 'src'))) {
    console.error(
      `csops: no prebuilt addon for ${process.platform}-${process.arch} (${addonName()}) and ` +
        'no Rust sources to build one from. Install the npm tarball made by `npm pack` in ' +
        'csops-node on a machine of this platform, or install from a source checkout.',
    );
    return 1;
  }
  const cargo = process.env.CARGO || 'cargo';
  if (spawnSync(cargo, ['--version'], { stdio: 'ignore' }).status !== 0) {
    console.error(
      `csops: no prebuilt addon for ${process.platform}-${process.arch}; building one from ` +
        'source needs the Rust toolchain (cargo, Rust 1.88 or newer: https://rustup.rs).',
    );
    return 1;
  }
  // For the host's target triple, as `napi build` builds (so a checkout's earlier release
  // build is reused from cargo's cache).
  const rustc = spawnSync(process.env.RUSTC || 'rustc', ['-vV'], { encoding: 'utf8' });
  const host = /^host: (\S+)$/m.exec(rustc.stdout ?? '')?.[1];
  if (!host) {
    console.error(`csops: could not read the Rust host target from \`rustc -vV\`: ${rustc.stderr ?? ''}`);
    return 1;
  }
  console.error(`csops: building the native addon from source (cargo build --release); this takes minutes`);
  const built = spawnSync(cargo, ['build', '--release', '--locked', '--target', host, '--manifest-path', manifest], {
    stdio: 'inherit',
    cwd: packageDir,
  });
  if (built.status !== 0) {
    console.error('csops: the native addon failed to build (see cargo\'s output above)');
    return built.status || 1;
  }
  // Where cargo put it: CARGO_TARGET_DIR, else the workspace's target directory.
  const meta = spawnSync(cargo, ['metadata', '--format-version', '1', '--no-deps', '--manifest-path', manifest], {
    cwd: packageDir,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (meta.status !== 0) {
    console.error(`csops: cargo metadata failed: ${meta.stderr}`);
    return 1;
  }
  const targetDir = JSON.parse(meta.stdout).target_directory;
  copyFileSync(join(targetDir, host, 'release', libraryName()), addon);
  console.error(`csops: built ${addonName()}`);
  return 0;
}

process.exitCode = main();
