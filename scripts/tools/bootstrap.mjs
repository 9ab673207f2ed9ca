#!/usr/bin/env node
// One-time set-up that works from a machine with only Node 20 and npm.
//
// Hardhat 3 needs Node >= 22.13. The project ships Node 22 as a devDependency (the `node`
// package), so every `npm run …` finds it first on PATH. The install itself must also run under
// Node 22, or npm silently skips Hardhat's native EDR binding (its `engines` says node >= 22).
// This script checks both and, when either is missing, installs with `npx -p node@22 npm install`.
// (`npm install`, not `npm ci`: the lockfile holds the platform packages the registry serves, and
// `npm ci` refuses a lockfile that lacks an entry for another platform's optional binary.)
// It runs under whatever Node started it (20 or 22) and uses only built-ins.
//
// Install scripts: npm 12 runs a dependency's preinstall/install/postinstall only when the root
// package.json's `allowScripts` allows it (npm 11.16+ warns, npm 10 ignores the field and runs them all).
// The `node` package needs its preinstall (it fetches the platform's Node binary) and esbuild runs a
// postinstall check, so package.json allows exactly those two (test/scripts/install-scripts.test.ts
// fails when a new dependency brings install scripts the list does not name). `npx` installs
// `node@22` outside any project, where `allowScripts` does not apply: under npm 12 it gets `--allow-scripts=node`.
// The `npm` that npx then runs is the one already on PATH (the package `node` ships no npm), now
// started by Node 22, so the install is made by the caller's npm, whichever major it is.
//
//   node scripts/tools/bootstrap.mjs                   # install if needed
//   node scripts/tools/bootstrap.mjs --force           # reinstall
//   node scripts/tools/bootstrap.mjs <script> [args]   # install if needed, then run <script> on the local Node 22
//
// The last form matters on a fresh machine: in `sh -c "node a && node b"` the shell looks `node` up once,
// finds Node 20 (node_modules/.bin does not exist yet) and would run `b` with it too.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const localNode = join(root, "node_modules", ".bin", process.platform === "win32" ? "node.cmd" : "node");
const NO_NODE = "Node 22 is not installed in node_modules";

const argv = process.argv.slice(2);
const force = argv[0] === "--force";
const [script, ...scriptArgs] = force ? argv.slice(1) : argv;

const missing = force ? "set-up requested" : installed();
if (missing !== null) install(missing);
if (script !== undefined) run(script, scriptArgs);

/** Why the dependencies need installing, or null when they are ready. */
function installed() {
  if (!existsSync(localNode)) return NO_NODE;
  // Ask the local Node 22 to load Hardhat's native binding: this is what fails after an
  // install made by Node 20.
  const probe = spawnSync(localNode, ["-e", "require('@nomicfoundation/edr')"], { cwd: root, encoding: "utf8" });
  if (probe.status !== 0) return "Hardhat's native EDR binding is missing (was `npm install` run by Node 20?)";
  return null;
}

function install(reason) {
  const version = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).devDependencies.node;
  const npx = process.platform === "win32" ? "npx.cmd" : "npx";
  const npm = spawnSync(npx, ["--version"], { cwd: root, encoding: "utf8" });
  const npmVersion = npm.status === 0 ? npm.stdout.trim() : "unknown";
  console.log(
    `[mutual] ${reason}: installing dependencies under Node ${version} with npm ${npmVersion} (one time, about a minute)…`,
  );
  // npm 12's npx runs the preinstall of the `node@22` it installs in its cache only with `--allow-scripts=node`.
  // npm 10 and 11 run it anyway, and npm 11 must not get the flag: it exports it to the environment, where
  // the preinstall's own `npm install` (project-scoped) refuses it with EALLOWSCRIPTS.
  const npmMajor = Number.parseInt(npmVersion, 10);
  const allow = npmMajor >= 12 ? ["--allow-scripts=node"] : [];
  const args = ["-y", ...allow, "-p", `node@${version}`, "npm", "install", "--no-audit", "--no-fund"];
  const result = spawnSync(npx, args, { cwd: root, stdio: "inherit" });
  if (result.status !== 0) {
    console.error("[mutual] dependency install failed; see the npm output above.");
    process.exit(result.status ?? 1);
  }
  const still = installed();
  if (still !== null) {
    // After an install, a missing Node 22 means the `node` package's preinstall did not run.
    const hint =
      still === NO_NODE ? " (its preinstall did not run: does package.json's allowScripts allow `node`?)" : "";
    console.error(`[mutual] set-up finished but ${still}${hint}.`);
    process.exit(1);
  }
  console.log("[mutual] dependencies ready.");
}

/** Runs `file` on the local Node 22 with `args`, and exits with its exit code. */
function run(file, args) {
  const child = spawn(localNode, [file, ...args], { cwd: process.cwd(), stdio: "inherit" });
  // Ctrl-C reaches the child directly (same process group): let it shut down, then exit with it.
  process.on("SIGINT", () => {});
  process.on("SIGTERM", () => child.kill("SIGTERM"));
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}
