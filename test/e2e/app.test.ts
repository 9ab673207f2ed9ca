/**
 * The members' app end to end, in a real Chromium (Debian's /usr/bin/chromium driven by playwright-core): the whole
 * local stack in process — a chain served over HTTP, the demo co-op deployed and seeded, the relayer, the app on
 * Vite — then a member proposes, votes 3 by transaction (cost 9), a second member signs a ballot for the relayer,
 * time moves on, the proposal is queued and executed, and the history shows it. Before that, members record and attest
 * a contribution and one claims a share of the seeded patronage pot. A screenshot of each main page is
 * saved under test-results/screenshots/. Then the auditor's tool audits the same chain and deployment: it passes,
 * and the app's history page matches its report event for event and figure for figure.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { JsonRpcProvider, Wallet, getAddress } from "ethers";
import type { BrowserContext, Page } from "playwright-core";

import type { Deployment } from "../../lib/deployment.ts";
import { REPORT_FILES } from "../../scripts/audit/report.ts";
import { loadCoopAbis, runAudit } from "../../scripts/audit/run.ts";
import type { Coop } from "../../deploy/coop.ts";
import { ROOT } from "../../lib/deployment.node.ts";
import { startApp, type AppServer } from "../../scripts/devnet/app-server.ts";
import { portIsFree } from "../../scripts/devnet/net.ts";
import { bakery, hardhatAccount, hardhatAccountKey } from "../../seeds/bakery.ts";
import { ledgerModelFromLogs, periodFigures, shareOf, type DecodedLedgerLog } from "../../lib/rules/patronage.ts";
import { startRelayer, type Relayer } from "../../relayer/relayer.ts";
import {
  compareHistoryWithReport,
  readAuditReport,
  readHistoryPage,
  short,
  type HistoryPage,
} from "../helpers/history-report.ts";
import { CHROMIUM, launchChromium } from "../helpers/chromium.ts";
import { startSeededChain } from "../helpers/seeded-chain.ts";

const SHOTS = join(ROOT, "test-results", "screenshots");
const SUPPLIER = getAddress("0x00000000000000000000000000000000000b4ce1");

describe("Members' app in a real browser", function () {
  this.timeout(600_000);
  const closers: (() => Promise<unknown>)[] = [];
  let browser: BrowserContext;
  let page: Page;
  let app: AppServer;
  let coop: Coop;
  let rpcUrl: string;
  let deployment: Deployment;

  before(async function () {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
    const chain = await startSeededChain("e2e");
    closers.push(() => chain.close());
    ({ rpcUrl, coop, deployment } = chain);
    const chainId = chain.chainId;
    const dir = mkdtempSync(join(tmpdir(), "mutual-e2e-"));
    closers.push(async () => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, `${chainId}.json`), JSON.stringify(deployment));
    const provider = new JsonRpcProvider(rpcUrl, undefined, { cacheTimeout: -1, staticNetwork: true });
    const relayer: Relayer = await startRelayer({
      provider,
      wallet: new Wallet(hardhatAccountKey(bakery.relayer.account)),
      deployment,
      dbPath: join(dir, "relayer.sqlite"),
      host: "127.0.0.1",
      port: 0,
      log: () => {},
    });
    closers.push(async () => {
      await relayer.close();
      provider.destroy();
    });
    let appPort = 5273;
    while (!(await portIsFree(appPort, "127.0.0.1"))) appPort++;
    app = await startApp({ rpcUrl, relayerUrl: relayer.url, port: appPort, addressesDir: dir });
    closers.push(() => app.close());
    mkdirSync(SHOTS, { recursive: true });
    const profile = mkdtempSync(join(tmpdir(), "mutual-chromium-"));
    closers.push(async () => rmSync(profile, { recursive: true, force: true }));
    // A fresh profile (the --user-data-dir of this run), removed afterwards.
    browser = await launchChromium(profile, { viewport: { width: 1280, height: 900 } });
    closers.push(() => browser.close());
    page = browser.pages()[0] ?? (await browser.newPage());
    page.setDefaultTimeout(60_000);
  });

  after(async function () {
    for (const close of closers.reverse()) await close().catch(() => {});
  });

  async function shot(name: string) {
    // Full-page shots from the top, so that the sticky header sits where a reader sees it.
    await page.evaluate("window.scrollTo(0, 0)");
    await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  }

  async function connectAs(name: string) {
    const disconnect = page.getByRole("button", { name: "Disconnect" });
    if (await disconnect.isVisible()) await disconnect.click();
    await page.getByRole("button", { name: "Connect", exact: true }).click();
    const select = page.getByLabel(/act as a demo member/);
    const value = await select.locator("option", { hasText: name }).getAttribute("value");
    await select.selectOption(value!);
    await page.getByRole("button", { name: "Use this demo account" }).click();
    await expect(await page.getByTestId("connected-as").textContent()).to.contain(name);
  }

  /** Moves the chain to the next phase, once or until the proposal's badge reads `state`. */
  async function nextPhase() {
    const button = page.getByRole("button", { name: /^Next phase/ });
    const before = await button.textContent();
    await button.click();
    // The tools re-plan from the replay at the new head: the button names the phase after this one.
    await page.waitForFunction(`document.querySelector(".tools button")?.textContent !== ${JSON.stringify(before)}`);
  }

  async function advanceUntil(state: string) {
    const badge = page.locator(".detail-head .badge");
    for (let i = 0; i < 8 && (await badge.textContent()) !== state; i++) await nextPhase();
    await page.locator(".detail-head .badge", { hasText: state }).waitFor();
  }

  /**
   * Hiro records a contribution (after a refused one), cannot attest his own, Carmen attests it and it counts; Farid
   * claims his share of the seeded pot: his balance rises by exactly the share lib/rules/patronage.ts computes, gas aside.
   */
  async function patronageFlow() {
    const [hiro, farid] = ["hiro", "farid"].map((key) => bakery.members.find((m) => m.key === key)!);
    await connectAs(hiro.name);
    await page.getByRole("link", { name: "Contributions" }).click();
    await page.getByTestId("current-period").waitFor();
    expect(await page.getByTestId("time-left").textContent()).to.match(/\(in \d+ days?/);
    await page.getByTestId("pot-1").waitFor();
    const record = page.locator("form", { has: page.getByRole("heading", { name: "Record a contribution" }) });
    await page.getByLabel("Kind", { exact: true }).fill("maintenance");
    await page.getByLabel("Units", { exact: true }).fill("0");
    await page.getByLabel("Evidence URI").fill("ipfs://hearth/proofer-fix");
    await record.getByRole("button", { name: "Record", exact: true }).click();
    expect(await record.getByRole("alert").textContent()).to.equal("A contribution is at least 1 unit.");
    await page.getByLabel("Units", { exact: true }).fill("15");
    await record.getByRole("button", { name: "Record", exact: true }).click();
    await record.locator('[data-tx="confirmed"]').waitFor();
    const entryId = await coop.ledger.entryCount();
    const row = page.locator(`tr[data-entry="${entryId}"]`);
    await row.waitFor();
    expect(await row.getByTestId("entry-status").textContent()).to.equal("pending 0/1");
    expect(await row.getByRole("button", { name: `Attest #${entryId}` }).isDisabled()).to.equal(true);
    expect(await row.textContent()).to.contain("Your own contribution: another member must attest it.");

    await connectAs("Carmen Ruiz");
    await row.getByRole("button", { name: `Attest #${entryId}` }).click();
    await page.locator(`tr[data-entry="${entryId}"][data-status="Validated"]`).waitFor();
    expect(await row.getByTestId("entry-status").textContent()).to.equal("validated");
    expect((await coop.ledger.entry(entryId)).status).to.equal(2n);
    const period = await coop.ledger.currentPeriod();
    expect(await page.getByTestId(`units-${period}`).textContent()).to.contain("Hiro Tanaka 15");

    // Farid's share of pot 1 (period 0), by the shared module from the ledger's events.
    const card = await coop.card.cardOf(hardhatAccount(farid.account));
    const model = ledgerModelFromLogs((await coop.ledger.queryFilter("*" as never)) as unknown as DecodedLedgerLog[]);
    const finalization = await coop.distributor.finalization(0n);
    const figures = periodFigures(model.periodUnits(0n), finalization.ratio);
    const share = shareOf((await coop.distributor.pot(1n)).amount, model.periodUnits(0n).get(card)!, figures);
    expect(share).to.equal(105_263_157_894_736_842n);
    await connectAs(farid.name);
    const pot = page.getByTestId("pot-1");
    const claim = pot.getByRole("button", { name: /^Claim/ });
    expect(await claim.textContent()).to.equal("Claim 0.105263157894736842 ETH");
    const provider = coop.card.runner!.provider!;
    const before = await provider.getBalance(hardhatAccount(farid.account));
    await claim.click();
    await pot
      .getByTestId("claim-refusal")
      .filter({ hasText: "You claimed 0.105263157894736842 ETH already." })
      .waitFor();
    const [claimed] = await coop.distributor.queryFilter(coop.distributor.filters.PatronageClaimed(1n, card));
    const receipt = (await provider.getTransactionReceipt(claimed.transactionHash))!;
    const after = await provider.getBalance(hardhatAccount(farid.account));
    expect(after - before + receipt.gasUsed * receipt.gasPrice).to.equal(share);
    expect(claimed.args.amount).to.equal(share);
    const cell = page.locator(`[data-testid="share-table-0"] tr[data-card="${card}"] td[data-share]`);
    expect(await cell.getAttribute("data-share")).to.equal(share.toString());
    expect(await cell.textContent()).to.contain("claimed");
    expect(await cell.textContent()).to.not.contain("unclaimed");
    expect(await page.getByTestId("capped-sum").textContent()).to.equal(`${figures.cappedSum} units`);
    await shot("contributions");
  }

  it("a member proposes, votes by transaction and by a signed ballot, and the proposal is executed", async function () {
    await page.goto(app.url);
    await page.getByRole("heading", { name: bakery.config.name }).waitFor();
    await page.getByTestId("member-count").filter({ hasText: "9" }).waitFor();
    await shot("overview");

    await connectAs("Amara Okafor");
    await page.getByRole("link", { name: "My membership" }).click();
    await page.getByTestId("card-image").waitFor();
    await shot("membership");

    await patronageFlow();
    // The seeded pot's proposal says its action in words.
    await page.goto(`${app.url}/proposals/3`);
    expect(await page.getByTestId("actions").textContent()).to.contain(
      "share 1 ETH as patronage among the contributors of period 0",
    );

    await connectAs("Amara Okafor");
    await page.getByRole("link", { name: "Proposals" }).click();
    await page.getByRole("button", { name: /^Executed/ }).waitFor();
    await shot("proposals");

    // A treasury payment, with a refusal first: a bad address is named.
    await page.getByRole("link", { name: "New proposal" }).click();
    await page.getByLabel("Pay to").fill("0x1234");
    await page.getByLabel("Amount (ETH)").fill("0.25");
    await page.getByRole("button", { name: "Add this action" }).click();
    expect(await page.getByRole("alert").first().textContent()).to.contain("is not an address");
    await page.getByLabel("Pay to").fill(SUPPLIER);
    await page.getByLabel("Amount (ETH)").fill("0.25");
    await page.getByRole("button", { name: "Add this action" }).click();
    expect(await page.getByTestId("draft-actions").textContent()).to.contain(`pay 0.25 ETH to ${SUPPLIER}`);
    await page.getByLabel("Title").fill("Buy a proofing cabinet");
    await page.getByLabel("Why (Markdown)").fill("Our dough rises **unevenly** in winter.\n\n- 0.25 ETH, second-hand");
    await shot("new-proposal");
    await page.getByRole("button", { name: /^Propose/ }).click();
    await page.getByRole("heading", { name: "#10 Buy a proofing cabinet" }).waitFor();
    expect(await page.getByTestId("actions").textContent()).to.contain(`pay 0.25 ETH to ${SUPPLIER}`);
    expect(await page.locator(".prose strong").textContent()).to.equal("unevenly");

    // The same proposal again: the governor refuses it, and the refusal reads in words.
    await page.getByRole("link", { name: "Proposals", exact: true }).click();
    await page.getByRole("link", { name: "New proposal" }).click();
    await page.getByLabel("Pay to").fill(SUPPLIER);
    await page.getByLabel("Amount (ETH)").fill("0.25");
    await page.getByRole("button", { name: "Add this action" }).click();
    await page.getByLabel("Title").fill("Buy a proofing cabinet");
    await page.getByLabel("Why (Markdown)").fill("Our dough rises **unevenly** in winter.\n\n- 0.25 ETH, second-hand");
    await page.getByRole("button", { name: /^Propose/ }).click();
    await page.locator('[data-tx="failed"]').waitFor();
    expect(await page.locator('[data-tx="failed"]').textContent()).to.contain(
      "Proposing failed. The same proposal exists already (it is Pending)",
    );
    await page.goto(`${app.url}/proposals/10`);
    await page.getByRole("heading", { name: "#10 Buy a proofing cabinet" }).waitFor();

    // Voting opens after the voting delay.
    await advanceUntil("Active");
    await page.getByLabel("Votes", { exact: true }).fill("3");
    expect(await page.getByTestId("vote-cost").textContent()).to.equal("9");
    const credits = BigInt((await page.getByTestId("credits-left").textContent())!) + 9n;
    await page.getByRole("button", { name: "Vote by transaction" }).click();
    await page.getByTestId("for-votes").filter({ hasText: "3 votes · 1 member" }).waitFor();
    await page.locator('[data-tx="confirmed"]').waitFor();
    // Adding on the other side is refused before anything is sent.
    await page.locator("label.side-against").click();
    expect(await page.getByTestId("vote-refusal").textContent()).to.contain("cannot switch sides");
    await page.locator("label.side-for").click();
    await page.getByLabel("Votes to add").fill("1");
    expect(await page.getByTestId("vote-cost").textContent()).to.equal("7");
    expect(await page.getByTestId("credits-left").textContent()).to.equal(String(credits - 9n - 7n));

    // A second member signs a ballot; the relayer (the app's default, checked from the footer) submits it.
    await connectAs("Ben Lindqvist");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("Saved: the relayer answers.").waitFor();
    await page.getByLabel("Votes", { exact: true }).fill("2");
    expect(await page.getByTestId("vote-cost").textContent()).to.equal("4");
    await page.getByRole("button", { name: "Sign a ballot (no gas)" }).click();
    await page.getByTestId("ballot-status").filter({ hasText: "included on chain" }).waitFor();
    await page.getByTestId("for-votes").filter({ hasText: "5 votes · 2 members" }).waitFor();
    expect(await page.getByTestId("quorum").textContent()).to.contain("quorum reached");
    await shot("proposal-vote");

    // The vote closes; the proposal is queued, the timelock delay passes, it is executed.
    await advanceUntil("Succeeded");
    await page.getByRole("button", { name: "Queue in the timelock" }).click();
    await page.locator(".detail-head .badge", { hasText: "Queued" }).waitFor();
    await nextPhase();
    await page.getByRole("button", { name: "Execute", exact: true }).waitFor();
    await page.getByRole("button", { name: "Execute", exact: true }).click();
    await page.locator(".detail-head .badge", { hasText: "Executed" }).waitFor();
    expect(await page.getByTestId("deposit").textContent()).to.contain("it will be returned");
    await page.getByRole("button", { name: "Settle the deposit" }).click();
    await page.getByTestId("deposit").filter({ hasText: "Returned to the proposer." }).waitFor();
    await shot("proposal-executed");
    const supplier = await coop.card.runner!.provider!.getBalance(SUPPLIER);
    expect(supplier).to.equal(250_000_000_000_000_000n);

    await page.getByRole("link", { name: "Members", exact: true }).click();
    await page.getByRole("table").waitFor();
    await shot("members");

    await page.getByRole("link", { name: "History" }).click();
    const history = page.getByTestId("history");
    await history.waitFor();
    const text = (await history.textContent())!;
    expect(text).to.contain("proposal #10 created by");
    expect(text).to.contain("cast 3 votes for proposal #10");
    expect(text).to.contain("cast 2 votes for proposal #10");
    expect(text).to.contain("proposal #10 queued in the timelock");
    expect(text).to.contain(`treasury paid 0.25 ETH to ${SUPPLIER.slice(0, 6)}`);
    expect(text).to.contain("proposal #10 executed");
    expect(text).to.contain(`proposal #10: deposit of ${hardhatAccount(bakery.members[0].account).slice(0, 6)}`);
    await shot("history");

    // A member leaves alone: no vote, only a confirmation.
    await page.getByRole("link", { name: "My membership" }).click();
    const resign = page.getByRole("button", { name: "Resign", exact: true });
    expect(await resign.isDisabled()).to.equal(true);
    await page.getByLabel(/I want to resign/).check();
    await resign.click();
    await page.getByText(/holds no card/).waitFor();
    expect(await coop.card.isMember(hardhatAccount(bakery.members[1].account))).to.equal(false);

    // At phone width the proposal page still reads.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${app.url}/proposals/10`);
    await page.getByRole("heading", { name: "#10 Buy a proofing cabinet" }).waitFor();
    await shot("proposal-phone");
  });

  it("the audit of the same chain passes, and the history page shows its report: the same events, the same figures", async function () {
    // The audit as `npm run audit -- --rpc … --deployment … --out …` runs it (it exits 0 exactly when `ok`).
    const head = await coop.card.runner!.provider!.getBlockNumber();
    const out = mkdtempSync(join(tmpdir(), "mutual-e2e-audit-"));
    closers.push(async () => rmSync(out, { recursive: true, force: true }));
    const result = await runAudit({ rpcUrl, deployment, abis: await loadCoopAbis(ROOT), outDir: out, toBlock: head });
    expect(result.mismatches).to.deep.equal([]);
    expect(result.findings).to.deep.equal([]);
    expect(result.ok).to.equal(true);
    expect(result.checks.head).to.be.greaterThan(300);
    expect((await readdir(out)).sort()).to.deep.equal([...REPORT_FILES].sort());
    const report = await readAuditReport(out);
    expect(report.model.ok).to.equal(true);
    expect(report.model.head.blockNumber).to.equal(head);

    // The history page at the same head block.
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${app.url}/history`);
    await page.locator(`[data-testid="history-extent"][data-block="${head}"]`).waitFor();
    const history = await readHistoryPage(page);
    expect(compareHistoryWithReport(history, report)).to.deep.equal([]);
    expect(history.entries).to.have.length(report.events.length);
    expect(history.entries.length).to.be.greaterThan(100);
    // This flow's own steps are among them, at the blocks the report gives.
    const votes = history.entries.filter((e) => e.event.startsWith("VoteCast") && e.proposal === 10);
    const [amara, ben] = [bakery.members[0], bakery.members[1]].map((m) => hardhatAccount(m.account));
    expect(votes.map((e) => [e.member, e.what])).to.deep.equal([
      [amara, `${short(amara)} cast 3 votes for proposal #10`],
      [ben, `${short(ben)} cast 2 votes for proposal #10`],
    ]);
    const lastBlock = history.entries.filter((e) => e.block === head).map((e) => [e.event, e.member]);
    expect(lastBlock).to.deep.include(["MemberResigned", ben]);

    // The comparison notices a dropped, a reordered and an altered entry, and a figure shown wrong.
    const vote = history.entries.indexOf(votes[0]);
    const altered = (change: (entries: HistoryPage["entries"]) => HistoryPage["entries"]): HistoryPage => ({
      ...history,
      entries: change(history.entries.map((e) => ({ ...e }))),
    });
    const dropped = altered((es) => es.filter((_, i) => i !== vote));
    const swapped = altered((es) => [...es.slice(0, vote), es[vote + 1], es[vote], ...es.slice(vote + 2)]);
    const moreVotes = altered((es) => {
      es[vote].what = es[vote].what.replace("cast 3 votes", "cast 4 votes");
      return es;
    });
    const otherMember = altered((es) => {
      es[vote].member = hardhatAccount(bakery.members[2].account);
      return es;
    });
    // Patronage figures too: one unit more on a validated entry, one wei more on a claim.
    const validated = history.entries.findIndex((e) => e.event === "ContributionValidated");
    const claim = history.entries.findIndex((e) => e.event === "PatronageClaimed");
    expect(history.entries[validated].what).to.match(/^entry #1 validated: 10 units count for card #\d+ in period 0$/);
    expect(history.entries[claim].what).to.match(/claimed 0\.\d+ ETH from pot #1 \(card #\d+\)$/);
    const moreUnits = altered((es) => {
      es[validated].what = es[validated].what.replace("10 units", "11 units");
      return es;
    });
    const moreClaimed = altered((es) => {
      es[claim].what = es[claim].what.replace(/(\d) ETH/, (_, d: string) => `${(Number(d) + 1) % 10} ETH`);
      return es;
    });
    for (const [name, wrong] of Object.entries({ dropped, swapped, moreVotes, otherMember, moreUnits, moreClaimed })) {
      expect(compareHistoryWithReport(wrong, report), name).to.not.deep.equal([]);
    }
    expect(compareHistoryWithReport(moreVotes, report).join("\n")).to.contain("tally").and.contain("vote #");
    expect(compareHistoryWithReport(moreUnits, report).join("\n")).to.contain("units validated #0");
    expect(compareHistoryWithReport(moreClaimed, report).join("\n")).to.contain("patronage claimed #");
  });
});
