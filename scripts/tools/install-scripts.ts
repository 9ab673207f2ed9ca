/**
 * The project's install-script policy, checked against what npm installs.
 *
 * npm 12 runs a dependency's `preinstall`, `install` or `postinstall` (and the implicit `node-gyp rebuild`
 * of a package with a `binding.gyp`) only when the root package.json's `allowScripts` field allows it; a
 * package it does not name installs with its scripts silently skipped. npm 10 ignores the field and runs
 * every script, npm 11.16+ runs them and warns. So a dependency that needs its install script and is missing
 * from `allowScripts` works under npm 10 and 11 and breaks under npm 12 only: this module finds such a
 * package before a user does.
 *
 * Keys follow npm's form: `name` (every version) or `name@version` (that version only); the value is `true`
 * (run) or `false` (skip, reviewed). Every package with install scripts needs a key either way.
 */
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";

/** A refusal with words: an `allowScripts` entry this check cannot read. */
export class InstallScriptsError extends Error {}

/** One installed package that has install scripts. */
export interface ScriptedPackage {
  name: string;
  version: string;
  /** Where it sits, as the lockfile names it (`node_modules/esbuild`). */
  location: string;
}

/** The lifecycle scripts npm 12 gates for a registry dependency. */
export const INSTALL_SCRIPTS = ["preinstall", "install", "postinstall"] as const;

interface LockEntry {
  name?: string;
  version?: string;
  hasInstallScript?: boolean;
  link?: boolean;
}

/** The package name a lockfile or node_modules location holds (`node_modules/a/node_modules/@s/b` → `@s/b`). */
export function nameAt(location: string): string {
  const at = location.lastIndexOf("node_modules/");
  return at === -1 ? location : location.slice(at + "node_modules/".length);
}

/** Every package the lockfile marks with `hasInstallScript` (npm sets it for scripts and for `binding.gyp`). */
export function scriptedInLockfile(lock: { packages?: Record<string, LockEntry> }): ScriptedPackage[] {
  const found: ScriptedPackage[] = [];
  for (const [location, entry] of Object.entries(lock.packages ?? {})) {
    if (location === "" || entry.link === true || entry.hasInstallScript !== true) continue;
    found.push({ name: entry.name ?? nameAt(location), version: entry.version ?? "", location });
  }
  return found;
}

/** Every package under `nodeModules` whose package.json declares an install script or that has a binding.gyp. */
export async function scriptedOnDisk(nodeModules: string, location = "node_modules"): Promise<ScriptedPackage[]> {
  const found: ScriptedPackage[] = [];
  for (const entry of await readdir(nodeModules, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name === ".bin" || entry.name.startsWith(".")) continue;
    const dir = join(nodeModules, entry.name);
    if (entry.name.startsWith("@")) {
      found.push(...(await scriptedOnDisk(dir, `${location}/${entry.name}`)));
      continue;
    }
    const here = `${location}/${entry.name}`;
    const manifest = join(dir, "package.json");
    if (existsSync(manifest)) {
      const pkg = JSON.parse(await readFile(manifest, "utf8")) as {
        name?: string;
        version?: string;
        scripts?: Record<string, string>;
      };
      const scripted = INSTALL_SCRIPTS.some((s) => typeof pkg.scripts?.[s] === "string");
      if (scripted || existsSync(join(dir, "binding.gyp"))) {
        found.push({ name: pkg.name ?? nameAt(here), version: pkg.version ?? "", location: here });
      }
    }
    const nested = join(dir, "node_modules");
    if (existsSync(nested)) found.push(...(await scriptedOnDisk(nested, `${here}/node_modules`)));
  }
  return found;
}

/** Splits an `allowScripts` key into name and version (`@scope/name@1.2.3` → [`@scope/name`, `1.2.3`]). */
export function parseKey(key: string): { name: string; version: string | null } {
  const at = key.indexOf("@", 1);
  const name = at === -1 ? key : key.slice(0, at);
  const version = at === -1 ? null : key.slice(at + 1);
  if (name === "" || (version !== null && !/^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]+)?$/.test(version))) {
    throw new InstallScriptsError(
      `allowScripts key "${key}" is neither "name" nor "name@<exact version>" (the forms this project uses)`,
    );
  }
  return { name, version };
}

/** What the policy leaves out, and what it names that nothing installed needs. */
export interface PolicyGaps {
  /** Packages with install scripts that no `allowScripts` key covers: npm 12 skips their scripts. */
  uncovered: ScriptedPackage[];
  /** `allowScripts` keys that match no package with install scripts (a removed or upgraded dependency). */
  stale: string[];
}

/** Compares `allowScripts` with the packages that have install scripts. Throws on a malformed entry. */
export function policyGaps(allowScripts: Record<string, unknown>, scripted: ScriptedPackage[]): PolicyGaps {
  const keys = Object.entries(allowScripts).map(([key, value]) => {
    if (typeof value !== "boolean") {
      throw new InstallScriptsError(`allowScripts["${key}"] is ${JSON.stringify(value)}, not true or false`);
    }
    return { key, ...parseKey(key) };
  });
  const matches = (k: { name: string; version: string | null }, p: ScriptedPackage) =>
    k.name === p.name && (k.version === null || k.version === p.version);
  return {
    uncovered: scripted.filter((p) => !keys.some((k) => matches(k, p))),
    stale: keys.filter((k) => !scripted.some((p) => matches(k, p))).map((k) => k.key),
  };
}
