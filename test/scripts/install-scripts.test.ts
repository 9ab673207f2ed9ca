import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { expect } from "chai";

import {
  InstallScriptsError,
  parseKey,
  policyGaps,
  scriptedInLockfile,
  scriptedOnDisk,
} from "../../scripts/tools/install-scripts.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

async function readJson<T>(file: string): Promise<T> {
  return JSON.parse(await readFile(join(ROOT, file), "utf8")) as T;
}

describe("Install scripts: package.json's allowScripts (npm 12 runs only the install scripts it allows)", function () {
  it("covers every package the lockfile marks with install scripts, and names nothing else", async function () {
    const { allowScripts } = await readJson<{ allowScripts: Record<string, unknown> }>("package.json");
    const scripted = scriptedInLockfile(await readJson("package-lock.json"));
    expect(scripted.map((p) => p.name).sort()).to.include.members(["esbuild", "node"]);
    expect(policyGaps(allowScripts, scripted)).to.deep.equal({ uncovered: [], stale: [] });
  });

  it("covers every installed package whose package.json has an install script or a binding.gyp", async function () {
    const { allowScripts } = await readJson<{ allowScripts: Record<string, unknown> }>("package.json");
    const onDisk = await scriptedOnDisk(join(ROOT, "node_modules"));
    expect(onDisk.map((p) => p.name)).to.include("node");
    expect(policyGaps(allowScripts, onDisk).uncovered).to.deep.equal([]);
  });

  it("allows the node package's preinstall, without which npm 12 installs no Node 22", async function () {
    const { allowScripts } = await readJson<{ allowScripts: Record<string, unknown> }>("package.json");
    expect(allowScripts.node).to.equal(true);
  });

  it("reports a new dependency with install scripts that the list does not name, and a key nothing needs", function () {
    const gaps = policyGaps({ node: true, "esbuild@0.28.2": true, "left-pad": false }, [
      { name: "node", version: "22.23.3", location: "node_modules/node" },
      { name: "esbuild", version: "0.29.0", location: "node_modules/esbuild" },
      { name: "@scope/native", version: "1.0.0", location: "node_modules/a/node_modules/@scope/native" },
    ]);
    expect(gaps.uncovered.map((p) => `${p.name}@${p.version}`)).to.deep.equal([
      "esbuild@0.29.0",
      "@scope/native@1.0.0",
    ]);
    expect(gaps.stale).to.deep.equal(["esbuild@0.28.2", "left-pad"]);
  });

  it("counts a reviewed denial (false) as covered", function () {
    const gaps = policyGaps({ telemetry: false }, [
      { name: "telemetry", version: "1.0.0", location: "node_modules/x" },
    ]);
    expect(gaps).to.deep.equal({ uncovered: [], stale: [] });
  });

  it("refuses an entry that is not true or false, or a key with a version range", function () {
    expect(() => policyGaps({ node: "yes" }, [])).to.throw(InstallScriptsError, 'allowScripts["node"] is "yes"');
    expect(() => parseKey("esbuild@^0.28")).to.throw(InstallScriptsError, '"esbuild@^0.28" is neither');
    expect(parseKey("@scope/native@1.2.3")).to.deep.equal({ name: "@scope/native", version: "1.2.3" });
    expect(parseKey("@scope/native")).to.deep.equal({ name: "@scope/native", version: null });
  });

  it("reads the lockfile's hasInstallScript marks, nested and scoped, and skips the root and links", function () {
    const scripted = scriptedInLockfile({
      packages: {
        "": { name: "mutual", hasInstallScript: true },
        "node_modules/node": { version: "22.23.3", hasInstallScript: true },
        "node_modules/a/node_modules/@scope/native": { version: "1.0.0", hasInstallScript: true },
        "node_modules/linked": { link: true, hasInstallScript: true },
        "node_modules/plain": { version: "2.0.0" },
      },
    });
    expect(scripted).to.deep.equal([
      { name: "node", version: "22.23.3", location: "node_modules/node" },
      { name: "@scope/native", version: "1.0.0", location: "node_modules/a/node_modules/@scope/native" },
    ]);
  });

  it("finds install scripts and binding.gyp files in a node_modules tree, nested and scoped", async function () {
    const dir = await mkdtemp(join(tmpdir(), "mutual-install-scripts-"));
    try {
      const put = async (path: string, manifest: object, gyp = false) => {
        await mkdir(join(dir, path), { recursive: true });
        await writeFile(join(dir, path, "package.json"), JSON.stringify(manifest));
        if (gyp) await writeFile(join(dir, path, "binding.gyp"), "{}");
      };
      await put("node_modules/pre", { name: "pre", version: "1.0.0", scripts: { preinstall: "node x" } });
      await put("node_modules/plain", { name: "plain", version: "1.0.0", scripts: { test: "mocha" } });
      await put("node_modules/plain/node_modules/@s/gyp", { name: "@s/gyp", version: "2.0.0" }, true);
      await put("node_modules/@s/post", { name: "@s/post", version: "3.0.0", scripts: { postinstall: "node y" } });
      const found = await scriptedOnDisk(join(dir, "node_modules"));
      expect(found.map((p) => `${p.location} ${p.name}@${p.version}`).sort()).to.deep.equal([
        "node_modules/@s/post @s/post@3.0.0",
        "node_modules/plain/node_modules/@s/gyp @s/gyp@2.0.0",
        "node_modules/pre pre@1.0.0",
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
