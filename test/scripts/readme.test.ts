/**
 * What the README promises, checked against the code, so that it cannot drift: every command it names is a script of
 * package.json, its two commands are the ones CI runs, and the addresses it gives are the ones the code uses.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

import { expect } from "chai";

import { DEFAULT_APP_PORT } from "../../scripts/devnet/app-server.ts";
import { DEFAULT_RELAYER_PORT } from "../../relayer/relayer.ts";

const ROOT = join(import.meta.dirname, "..", "..");
const readme = readFileSync(join(ROOT, "README.md"), "utf8");
const scripts = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> })
  .scripts;

describe("The README's promises", function () {
  it("names only commands that package.json has: npm start, npm test and every npm run <script>", function () {
    const named = [...readme.matchAll(/npm run ([a-z][a-z0-9:-]*)/g)].map((m) => m[1]);
    expect(named.length).to.be.greaterThan(5);
    const missing = [...new Set(named)].filter((name) => scripts[name] === undefined);
    expect(missing, "scripts the README names that package.json lacks").to.deep.equal([]);
    expect(scripts.start).to.be.a("string");
    expect(scripts.test).to.be.a("string");
  });

  it("gives its two commands as the main job and the tests, and CI runs exactly those", function () {
    expect(readme).to.match(/^npm start +# the main job/m);
    expect(readme).to.match(/^npm test +# all the tests/m);
    const ci = readFileSync(join(ROOT, ".ci", "run"), "utf8");
    expect(ci).to.match(/^if ! npm start -- --once; then$/m);
    expect(ci).to.match(/^npm test 2>&1 \| tee "\$log"$/m);
  });

  it("gives the app's and the relayer's addresses that npm start uses, and carries no hand-kept test count", function () {
    expect(readme).to.contain(`http://127.0.0.1:${DEFAULT_APP_PORT}`);
    expect(readme).to.contain(`http://127.0.0.1:${DEFAULT_RELAYER_PORT}`);
    // A count written by hand goes stale with the next test: the README describes the line instead.
    expect(readme).to.not.match(/\b\d+ passing \(\d+ solidity, \d+ mocha\)/);
    expect(readme).to.contain("`<n> passing (<s> solidity, <m> mocha)`");
  });
});
