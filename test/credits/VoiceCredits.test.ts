import { expect } from "chai";
import { network } from "hardhat";
import { Interface, ZeroAddress } from "ethers";
import type { ContractTransactionResponse, LogDescription } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";

import { accrue } from "../../lib/rules/quadratic.ts";
import { DAY, defaultConfig, deployCoop } from "../../deploy/coop.ts";
import type { VoiceCredits } from "../../types/ethers-contracts/index.ts";
import { blockTime, deployCredits, deployOwnedCard, type OwnedCard } from "../helpers/governor-fixtures.ts";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const { time } = networkHelpers;

const HOUR = 60 * 60;
const WEEK = 7 * DAY;
const CREDITS_PER_EPOCH = 100n;
const MAX_BALANCE = 400n;
const MAX_UINT48 = 2n ** 48n - 1n;

enum SpendStatus {
  Ok = 0,
  NotEligible = 1,
  InsufficientCredits = 2,
}

// ------------------------------------------------------------------------------------------------
// Fixtures
// ------------------------------------------------------------------------------------------------

interface Owned extends OwnedCard {
  /** When schedule 0 (and epoch 0) started: the credits' deployment time. */
  start: number;
}

/** The card and credits of deployOwnedCard, and when their schedule started. */
async function ownedFixture(): Promise<Owned> {
  const f = await deployOwnedCard(ethers);
  return { ...f, start: Number((await f.credits.scheduleAt(0)).start) };
}

/** The same, with alice admitted at start + 100 (epoch 0) and bob at start + 200. */
async function twoMembersFixture(): Promise<Owned> {
  const f = await ownedFixture();
  await sendAt(f.start + 100, () => f.card.admit(f.alice.address));
  await sendAt(f.start + 200, () => f.card.admit(f.bob.address));
  return f;
}

async function deployedCoopFixture() {
  const [deployer, alice, bob, stranger] = await ethers.getSigners();
  const coop = await deployCoop(connection, defaultConfig([alice.address, bob.address]));
  return { ...coop, deployer, alice, bob, stranger };
}

// ------------------------------------------------------------------------------------------------
// Helpers
// ------------------------------------------------------------------------------------------------

const { sendAt } = blockTime(connection);

/** The positional values of a struct or multi-value result, as a plain array. */
function tuple(x: readonly bigint[]): bigint[] {
  return [...x];
}

/** Everything the ledger exposes about `accounts`, for "nothing changed" checks. */
async function creditsState(credits: VoiceCredits, accounts: string[]) {
  const rows = [];
  for (const a of accounts) {
    const acc = await credits.accountOf(a);
    rows.push({ account: a, balanceOf: await credits.balanceOf(a), stored: tuple(acc) });
  }
  const s = await credits.currentSchedule();
  return {
    rows,
    held: await credits.heldDeposits(),
    governor: await credits.governor(),
    scheduleCount: await credits.scheduleCount(),
    current: tuple(s),
    owner: await credits.owner(),
  };
}

// ------------------------------------------------------------------------------------------------
// Reference model: schedules and step-by-step accrual (one epoch at a time, with lib/rules/quadratic.ts `accrue`)
// ------------------------------------------------------------------------------------------------

interface Sched {
  start: bigint;
  firstEpoch: bigint;
  epochLength: bigint;
  creditsPerEpoch: bigint;
  maxBalance: bigint;
}

class ScheduleModel {
  schedules: Sched[] = [];

  constructor(first?: Sched) {
    if (first) this.schedules.push(first);
  }

  /** The schedule in force at time `now`. */
  active(now: bigint): Sched {
    const started = this.schedules.filter((s) => s.start <= now);
    if (started.length === 0) throw new Error("no schedule has started");
    return started[started.length - 1];
  }

  epochAt(now: bigint): bigint {
    const s = this.active(now);
    return s.firstEpoch + (now - s.start) / s.epochLength;
  }

  nextEpochStart(now: bigint): bigint {
    const s = this.active(now);
    const next = this.epochAt(now) + 1n;
    return s.start + (next - s.firstEpoch) * s.epochLength;
  }

  /** setSchedule at `now`: the new rules start at the next boundary; a pending change is replaced. */
  set(now: bigint, epochLength: bigint, creditsPerEpoch: bigint, maxBalance: bigint): Sched {
    const last = this.schedules[this.schedules.length - 1];
    if (last.start > now) this.schedules.pop();
    const next = this.epochAt(now) + 1n;
    const start = this.nextEpochStart(now);
    const s = { start, firstEpoch: next, epochLength, creditsPerEpoch, maxBalance };
    this.schedules.push(s);
    return s;
  }

  /** The schedule whose rules give the credits of epoch `e` (which must have begun). */
  forEpoch(e: bigint): Sched {
    let found: Sched | undefined;
    for (const s of this.schedules) if (s.firstEpoch <= e) found = s;
    if (!found) throw new Error(`no schedule for epoch ${e}`);
    return found;
  }

  /** `balance` as of epoch `from`, brought to epoch `to` one epoch at a time. */
  stepwise(balance: bigint, from: bigint, to: bigint): bigint {
    let b = balance;
    for (let e = from + 1n; e <= to; e++) {
      const s = this.forEpoch(e);
      b = accrue(b, 1n, s.creditsPerEpoch, s.maxBalance);
    }
    return b;
  }
}

interface ModelAccount {
  balance: bigint;
  epoch: bigint;
}

function openModel(m: ScheduleModel, now: bigint): ModelAccount {
  const s = m.active(now);
  return { balance: s.creditsPerEpoch < s.maxBalance ? s.creditsPerEpoch : s.maxBalance, epoch: m.epochAt(now) };
}

function modelBalance(m: ScheduleModel, a: ModelAccount | undefined, now: bigint): bigint {
  if (a === undefined) return 0n;
  return m.stepwise(a.balance, a.epoch, m.epochAt(now));
}

function schedOf(s: {
  start: bigint;
  firstEpoch: bigint;
  epochLength: bigint;
  creditsPerEpoch: bigint;
  maxBalance: bigint;
}): Sched {
  return {
    start: BigInt(s.start),
    firstEpoch: BigInt(s.firstEpoch),
    epochLength: BigInt(s.epochLength),
    creditsPerEpoch: BigInt(s.creditsPerEpoch),
    maxBalance: BigInt(s.maxBalance),
  };
}

/** A small deterministic PRNG (mulberry32), so the randomized scenario is reproducible. */
function prng(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n: number) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const r = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    return Math.floor(r * n);
  };
}

// ------------------------------------------------------------------------------------------------
// Tests
// ------------------------------------------------------------------------------------------------

describe("VoiceCredits", function () {
  describe("what wallets see, and no transfers", function () {
    it("shows a name, a symbol and 0 decimals, and links the card and the governor", async function () {
      const { card, credits, gov, owner } = await networkHelpers.loadFixture(ownedFixture);
      expect(await credits.name()).to.equal("Bakery Voice Credits");
      expect(await credits.symbol()).to.equal("VOICE");
      expect(await credits.decimals()).to.equal(0n);
      expect(await credits.card()).to.equal(await card.getAddress());
      expect(await credits.governor()).to.equal(gov.address);
      expect(await credits.owner()).to.equal(owner.address);
      expect(await credits.MAX_EPOCH_LENGTH()).to.equal(BigInt(366 * DAY));
    });

    it("presents no ERC-20 transfer surface: transfer, transferFrom, approve, allowance and totalSupply are not functions, calls to them revert with no data and move nothing", async function () {
      const { credits, gov, alice, bob, stranger } = await networkHelpers.loadFixture(twoMembersFixture);
      await (await credits.connect(gov).holdDeposit(alice.address, 10n)).wait();
      const accounts = [alice.address, bob.address, stranger.address, gov.address];
      const before = await creditsState(credits, accounts);
      expect(before.rows[0].balanceOf).to.equal(90n);
      const erc20 = new Interface([
        "function transfer(address,uint256) returns (bool)",
        "function transferFrom(address,address,uint256) returns (bool)",
        "function approve(address,uint256) returns (bool)",
        "function allowance(address,address) view returns (uint256)",
        "function totalSupply() view returns (uint256)",
        "event Transfer(address indexed from, address indexed to, uint256 value)",
      ]);
      // Not in the ABI a wallet or an explorer reads, and no Transfer event either.
      const abi = Interface.from(credits.interface.fragments);
      for (const name of ["transfer", "transferFrom", "approve", "allowance", "totalSupply"]) {
        expect(abi.getFunction(name), name).to.equal(null);
      }
      expect(abi.getEvent("Transfer")).to.equal(null);
      const address = await credits.getAddress();
      const calls: [HardhatEthersSigner, string][] = [
        [alice, erc20.encodeFunctionData("transfer", [bob.address, 1n])],
        [stranger, erc20.encodeFunctionData("transferFrom", [alice.address, stranger.address, 1n])],
        // Not even the governor can move the credits it holds.
        [gov, erc20.encodeFunctionData("transfer", [stranger.address, 10n])],
        [alice, erc20.encodeFunctionData("approve", [stranger.address, 50n])],
      ];
      for (const [from, data] of calls) {
        await expect(from.sendTransaction({ to: address, data })).to.be.revertedWithoutReason(ethers);
      }
      for (const data of [
        erc20.encodeFunctionData("allowance", [alice.address, bob.address]),
        erc20.encodeFunctionData("totalSupply"),
      ]) {
        const answered = await ethers.provider.call({ to: address, data }).then(
          () => true,
          () => false,
        );
        expect(answered, "a read of a function credits do not have fails").to.equal(false);
      }
      expect(await creditsState(credits, accounts)).to.deep.equal(before);
    });
  });

  describe("accounts opened, accrued, closed and moved", function () {
    it("opens a new member's account with creditsPerEpoch credits in the current epoch", async function () {
      const { card, credits, alice, start } = await networkHelpers.loadFixture(ownedFixture);
      const t = start + 2 * WEEK + 3 * DAY; // epoch 2
      await time.setNextBlockTimestamp(t);
      await expect(card.admit(alice.address))
        .to.emit(credits, "AccountOpened")
        .withArgs(alice.address, 1n, 2n, CREDITS_PER_EPOCH);
      expect(await credits.balanceOf(alice.address)).to.equal(CREDITS_PER_EPOCH);
      const acc = await credits.accountOf(alice.address);
      expect(tuple(acc)).to.deep.equal([CREDITS_PER_EPOCH, 2n, BigInt(t), 1n]);
      expect(await credits.currentEpoch()).to.equal(2n);
    });

    it("opens with min(creditsPerEpoch, maxBalance) when the cap equals the rate, and never grows past it", async function () {
      const { card, credits, alice, start } = await networkHelpers.loadFixture(ownedFixture);
      await sendAt(start + DAY, () => credits.setSchedule(WEEK, 50n, 50n));
      await time.setNextBlockTimestamp(start + WEEK + DAY);
      await expect(card.admit(alice.address)).to.emit(credits, "AccountOpened").withArgs(alice.address, 1n, 1n, 50n);
      expect(await credits.balanceOf(alice.address)).to.equal(50n);
      await time.increaseTo(start + 5 * WEEK);
      expect(await credits.balanceOf(alice.address)).to.equal(50n);
    });

    it("opens an account under the schedule in force while a change is still pending", async function () {
      const { card, credits, alice, start } = await networkHelpers.loadFixture(ownedFixture);
      await sendAt(start + DAY, () => credits.setSchedule(WEEK, 30n, 1000n));
      await time.setNextBlockTimestamp(start + 2 * DAY);
      await expect(card.admit(alice.address))
        .to.emit(credits, "AccountOpened")
        .withArgs(alice.address, 1n, 0n, CREDITS_PER_EPOCH);
      await time.increaseTo(start + WEEK - 1);
      expect(await credits.balanceOf(alice.address)).to.equal(100n);
      await time.increaseTo(start + WEEK);
      expect(await credits.balanceOf(alice.address)).to.equal(130n);
    });

    it("accrues creditsPerEpoch exactly at each epoch boundary, lazily, without any transaction", async function () {
      const { credits, alice, start } = await networkHelpers.loadFixture(twoMembersFixture);
      const stored = tuple(await credits.accountOf(alice.address));
      const expectations: [number, bigint][] = [
        [start + WEEK - 1, 100n],
        [start + WEEK, 200n],
        [start + 2 * WEEK - 1, 200n],
        [start + 2 * WEEK, 300n],
        [start + 2 * WEEK + 1, 300n],
      ];
      for (const [t, expected] of expectations) {
        await time.increaseTo(t);
        expect(await credits.balanceOf(alice.address), `at start+${t - start}`).to.equal(expected);
        expect(await credits.currentEpoch()).to.equal(BigInt(Math.floor((t - start) / WEEK)));
        expect(await credits.nextEpochStart()).to.equal(BigInt(start + (Math.floor((t - start) / WEEK) + 1) * WEEK));
      }
      // Nothing was written: the stored account is still the opening one.
      expect(tuple(await credits.accountOf(alice.address))).to.deep.equal(stored);
    });

    it("rolls unspent credits over up to maxBalance and never above", async function () {
      const { credits, alice, start } = await networkHelpers.loadFixture(twoMembersFixture);
      for (let k = 0; k <= 9; k++) {
        await time.increaseTo(start + k * WEEK + 3 * DAY);
        const expected = BigInt(k + 1) * CREDITS_PER_EPOCH;
        expect(await credits.balanceOf(alice.address), `epoch ${k}`).to.equal(
          expected < MAX_BALANCE ? expected : MAX_BALANCE,
        );
      }
      await time.increaseTo(start + 500 * WEEK);
      expect(await credits.balanceOf(alice.address)).to.equal(MAX_BALANCE);
    });

    it("rolls over up to the cap after spending: 400, spend 150, +100, +50 (capped), +0", async function () {
      const { credits, gov, alice, start } = await networkHelpers.loadFixture(twoMembersFixture);
      await sendAt(start + 4 * WEEK, () => credits.connect(gov).holdDeposit(alice.address, 150n));
      expect(await credits.balanceOf(alice.address)).to.equal(250n);
      await time.increaseTo(start + 5 * WEEK);
      expect(await credits.balanceOf(alice.address)).to.equal(350n);
      await time.increaseTo(start + 6 * WEEK);
      expect(await credits.balanceOf(alice.address)).to.equal(400n);
      await time.increaseTo(start + 7 * WEEK);
      expect(await credits.balanceOf(alice.address)).to.equal(400n);
    });

    it("gives a member admitted in an epoch's last second a full epoch's credits one second later", async function () {
      const { card, credits, carol, start } = await networkHelpers.loadFixture(twoMembersFixture);
      await sendAt(start + 3 * WEEK - 1, () => card.admit(carol.address));
      expect(await credits.balanceOf(carol.address)).to.equal(100n);
      await time.increaseTo(start + 3 * WEEK);
      expect(await credits.balanceOf(carol.address)).to.equal(200n);
    });

    it("zeroes credits on resignation with AccountClosed(member, epoch, forfeited)", async function () {
      const { card, credits, gov, alice, bob, start } = await networkHelpers.loadFixture(twoMembersFixture);
      await sendAt(start + WEEK + DAY, () => credits.connect(gov).holdDeposit(alice.address, 30n)); // 200 - 30
      await time.setNextBlockTimestamp(start + 2 * WEEK + DAY);
      const forfeited = 170n + CREDITS_PER_EPOCH;
      await expect(card.connect(alice).resign())
        .to.emit(credits, "AccountClosed")
        .withArgs(alice.address, 2n, forfeited);
      expect(await credits.balanceOf(alice.address)).to.equal(0n);
      expect(tuple(await credits.accountOf(alice.address))).to.deep.equal([0n, 0n, 0n, 0n]);
      await time.increaseTo(start + 6 * WEEK);
      expect(await credits.balanceOf(alice.address)).to.equal(0n);
      // The deposit held before leaving stays held, bob is untouched.
      expect(await credits.heldDeposits()).to.equal(30n);
      expect(await credits.balanceOf(bob.address)).to.equal(MAX_BALANCE);
    });

    it("zeroes credits on expulsion with AccountClosed(member, epoch, forfeited)", async function () {
      const { card, credits, bob, start } = await networkHelpers.loadFixture(twoMembersFixture);
      await time.setNextBlockTimestamp(start + 2 * WEEK + DAY);
      await expect(card.expel(bob.address, "no-show"))
        .to.emit(credits, "AccountClosed")
        .withArgs(bob.address, 2n, 300n);
      expect(await credits.balanceOf(bob.address)).to.equal(0n);
      expect(tuple(await credits.accountOf(bob.address))).to.deep.equal([0n, 0n, 0n, 0n]);
    });

    it("starts a re-admitted member fresh, not with the balance they had when they left", async function () {
      const { card, credits, alice, start } = await networkHelpers.loadFixture(twoMembersFixture);
      await time.increaseTo(start + 5 * WEEK);
      expect(await credits.balanceOf(alice.address)).to.equal(MAX_BALANCE);
      await sendAt(start + 5 * WEEK + DAY, () => card.connect(alice).resign());
      const t = start + 5 * WEEK + 2 * DAY;
      await time.setNextBlockTimestamp(t);
      await expect(card.admit(alice.address))
        .to.emit(credits, "AccountOpened")
        .withArgs(alice.address, 3n, 5n, CREDITS_PER_EPOCH);
      expect(await credits.balanceOf(alice.address)).to.equal(CREDITS_PER_EPOCH);
      expect(tuple(await credits.accountOf(alice.address))).to.deep.equal([CREDITS_PER_EPOCH, 5n, BigInt(t), 3n]);
      await time.increaseTo(start + 6 * WEEK);
      expect(await credits.balanceOf(alice.address)).to.equal(2n * CREDITS_PER_EPOCH);
    });

    it("moves the balance on reassignment with AccountMoved, and it keeps accruing at the new address only", async function () {
      const { card, credits, gov, bob, carol, start } = await networkHelpers.loadFixture(twoMembersFixture);
      await sendAt(start + WEEK + DAY, () => credits.connect(gov).holdDeposit(bob.address, 77n)); // 200 - 77 = 123
      const t = start + 2 * WEEK + DAY;
      await time.setNextBlockTimestamp(t);
      await expect(card.reassign(bob.address, carol.address))
        .to.emit(credits, "AccountMoved")
        .withArgs(bob.address, carol.address, 2n, 223n);
      expect(await credits.balanceOf(carol.address)).to.equal(223n);
      expect(await credits.balanceOf(bob.address)).to.equal(0n);
      expect(tuple(await credits.accountOf(carol.address))).to.deep.equal([223n, 2n, BigInt(t), 2n]);
      expect(tuple(await credits.accountOf(bob.address))).to.deep.equal([0n, 0n, 0n, 0n]);
      await time.increaseTo(start + 3 * WEEK);
      expect(await credits.balanceOf(carol.address)).to.equal(323n);
      expect(await credits.balanceOf(bob.address)).to.equal(0n);
    });

    it("refuses openAccount, closeAccount and moveAccount from anyone but the card with VoiceCreditsUnauthorizedCard(caller)", async function () {
      const { credits, owner, gov, alice, bob, stranger } = await networkHelpers.loadFixture(twoMembersFixture);
      const accounts = [alice.address, bob.address, stranger.address];
      const before = await creditsState(credits, accounts);
      for (const caller of [owner, gov, alice, stranger]) {
        await expect(credits.connect(caller).openAccount(stranger.address, 99n))
          .to.be.revertedWithCustomError(credits, "VoiceCreditsUnauthorizedCard")
          .withArgs(caller.address);
        await expect(credits.connect(caller).closeAccount(alice.address))
          .to.be.revertedWithCustomError(credits, "VoiceCreditsUnauthorizedCard")
          .withArgs(caller.address);
        await expect(credits.connect(caller).moveAccount(alice.address, stranger.address))
          .to.be.revertedWithCustomError(credits, "VoiceCreditsUnauthorizedCard")
          .withArgs(caller.address);
      }
      expect(await creditsState(credits, accounts)).to.deep.equal(before);
    });
  });

  describe("governor-only spending and deposits", function () {
    it("refuses spendForVote, holdDeposit, returnDeposit and burnDeposit from anyone but the governor", async function () {
      const { card, credits, owner, gov, alice, bob, stranger, start } =
        await networkHelpers.loadFixture(twoMembersFixture);
      await (await credits.connect(gov).holdDeposit(bob.address, 40n)).wait();
      const accounts = [alice.address, bob.address, stranger.address, gov.address];
      const before = await creditsState(credits, accounts);
      for (const caller of [owner, alice, bob, stranger]) {
        await expect(credits.connect(caller).spendForVote(alice.address, start + 100, 1n))
          .to.be.revertedWithCustomError(credits, "VoiceCreditsUnauthorizedGovernor")
          .withArgs(caller.address);
        await expect(credits.connect(caller).holdDeposit(alice.address, 1n))
          .to.be.revertedWithCustomError(credits, "VoiceCreditsUnauthorizedGovernor")
          .withArgs(caller.address);
        await expect(credits.connect(caller).returnDeposit(caller.address, 40n))
          .to.be.revertedWithCustomError(credits, "VoiceCreditsUnauthorizedGovernor")
          .withArgs(caller.address);
        await expect(credits.connect(caller).burnDeposit(40n))
          .to.be.revertedWithCustomError(credits, "VoiceCreditsUnauthorizedGovernor")
          .withArgs(caller.address);
      }
      expect(await creditsState(credits, accounts)).to.deep.equal(before);
      expect(await card.memberCount()).to.equal(2n);
    });

    it("setGovernor emits GovernorChanged and moves the spending powers to the new governor; the old one keeps the deposits it held, to return or burn them alone", async function () {
      const { credits, gov, alice, stranger } = await networkHelpers.loadFixture(twoMembersFixture);
      await (await credits.connect(gov).holdDeposit(alice.address, 25n)).wait();
      expect(await credits.balanceOf(gov.address)).to.equal(25n);
      await expect(credits.setGovernor(stranger.address))
        .to.emit(credits, "GovernorChanged")
        .withArgs(gov.address, stranger.address);
      expect(await credits.governor()).to.equal(stranger.address);
      // The deposits are not stranded: they stay the old governor's, and the new one starts with none.
      expect(await credits.heldDeposits()).to.equal(0n);
      expect(await credits.balanceOf(stranger.address)).to.equal(0n);
      expect(await credits.formerGovernorHeld(gov.address)).to.equal(25n);
      expect(await credits.balanceOf(gov.address)).to.equal(25n);
      // The new governor cannot release what it does not hold; the old one can take no vote or new deposit.
      await expect(credits.connect(stranger).burnDeposit(1n))
        .to.be.revertedWithCustomError(credits, "VoiceCreditsInsufficientHeld")
        .withArgs(1n, 0n);
      await expect(credits.connect(gov).holdDeposit(alice.address, 1n))
        .to.be.revertedWithCustomError(credits, "VoiceCreditsUnauthorizedGovernor")
        .withArgs(gov.address);
      await expect(credits.connect(gov).spendForVote(alice.address, 0n, 1n))
        .to.be.revertedWithCustomError(credits, "VoiceCreditsUnauthorizedGovernor")
        .withArgs(gov.address);
      // The old governor settles its proposals: above what it holds is refused, then it returns 10 and burns 15.
      await expect(credits.connect(gov).burnDeposit(26n))
        .to.be.revertedWithCustomError(credits, "VoiceCreditsInsufficientHeld")
        .withArgs(26n, 25n);
      const balance = await credits.balanceOf(alice.address);
      await expect(credits.connect(gov).returnDeposit(alice.address, 10n))
        .to.emit(credits, "FormerGovernorReleased")
        .withArgs(gov.address, 10n, 15n)
        .and.to.emit(credits, "DepositReturned");
      expect(await credits.balanceOf(alice.address)).to.equal(balance + 10n);
      await expect(credits.connect(gov).burnDeposit(15n))
        .to.emit(credits, "FormerGovernorReleased")
        .withArgs(gov.address, 15n, 0n)
        .and.to.emit(credits, "DepositBurned")
        .withArgs(15n);
      expect(await credits.formerGovernorHeld(gov.address)).to.equal(0n);
      // Once it holds nothing, the old governor is nobody to the credits.
      await expect(credits.connect(gov).burnDeposit(0n))
        .to.be.revertedWithCustomError(credits, "VoiceCreditsUnauthorizedGovernor")
        .withArgs(gov.address);
    });

    it("gives a governor set again the deposits it held when it was replaced, and refuses setting the governor it already is with VoiceCreditsInvalidGovernor", async function () {
      const { credits, gov, alice, bob, stranger } = await networkHelpers.loadFixture(twoMembersFixture);
      await (await credits.connect(gov).holdDeposit(alice.address, 25n)).wait();
      await (await credits.setGovernor(stranger.address)).wait();
      await (await credits.connect(stranger).holdDeposit(bob.address, 5n)).wait();
      await expect(credits.setGovernor(stranger.address))
        .to.be.revertedWithCustomError(credits, "VoiceCreditsInvalidGovernor")
        .withArgs(stranger.address);
      await (await credits.setGovernor(gov.address)).wait();
      expect(await credits.heldDeposits()).to.equal(25n);
      expect(await credits.formerGovernorHeld(gov.address)).to.equal(0n);
      expect(await credits.formerGovernorHeld(stranger.address)).to.equal(5n);
      await expect(credits.connect(gov).burnDeposit(25n)).to.emit(credits, "DepositBurned").withArgs(25n);
      await expect(credits.connect(stranger).burnDeposit(5n))
        .to.emit(credits, "FormerGovernorReleased")
        .withArgs(stranger.address, 5n, 0n);
      expect(await credits.heldDeposits()).to.equal(0n);
    });

    it("lowestCap is the lower of the cap in force and the next epoch's; checkDeposit refuses a deposit above it with VoiceCreditsCapBelowDeposit(cap, deposit)", async function () {
      const { credits } = await networkHelpers.loadFixture(twoMembersFixture);
      expect(await credits.lowestCap()).to.equal(MAX_BALANCE);
      await credits.checkDeposit(MAX_BALANCE);
      await expect(credits.checkDeposit(MAX_BALANCE + 1n))
        .to.be.revertedWithCustomError(credits, "VoiceCreditsCapBelowDeposit")
        .withArgs(MAX_BALANCE, MAX_BALANCE + 1n);
      // A lower cap from the next epoch counts at once; a higher one only once it is in force.
      await (await credits.setSchedule(WEEK, 10n, 50n)).wait();
      expect((await credits.currentSchedule()).maxBalance).to.equal(MAX_BALANCE);
      expect(await credits.lowestCap()).to.equal(50n);
      await expect(credits.checkDeposit(51n))
        .to.be.revertedWithCustomError(credits, "VoiceCreditsCapBelowDeposit")
        .withArgs(50n, 51n);
      await (await credits.setSchedule(WEEK, 10n, 1_000n)).wait();
      expect(await credits.lowestCap()).to.equal(MAX_BALANCE);
    });

    it("checks a new cap against the governor's deposit only when the governor says it has one: an account or a contract without proposalDeposit sets none", async function () {
      const { credits, card } = await networkHelpers.loadFixture(twoMembersFixture);
      // The fixture's governor is a plain account: any valid cap is accepted.
      await (await credits.setSchedule(WEEK, 1n, 1n)).wait();
      // A contract without proposalDeposit (the card, which reverts on the unknown call): still none.
      await (await credits.setGovernor(await card.getAddress())).wait();
      await expect(credits.setSchedule(WEEK, 2n, 2n)).to.emit(credits, "ScheduleChanged");
    });

    it("refuses a new governor whose deposit is above the cap with VoiceCreditsCapBelowDeposit(cap, deposit) and keeps the old one", async function () {
      const { card, credits, gov, owner } = await networkHelpers.loadFixture(twoMembersFixture);
      const timelock = await ethers.deployContract("TimelockController", [60, [], [ZeroAddress], owner.address]);
      const params = {
        votingDelay: 1,
        votingPeriod: DAY,
        quorumBps: 2000,
        proposalDeposit: 10n,
        lateQuorumExtension: 0,
      };
      const next = await ethers.deployContract("MutualGovernor", [
        "Next",
        await card.getAddress(),
        await credits.getAddress(),
        await timelock.getAddress(),
        params,
      ]);
      // The current governor is an account (no deposit), so a cap of 9 is accepted; the next governor asks 10.
      await (await credits.setSchedule(WEEK, 1n, 9n)).wait();
      await expect(credits.setGovernor(await next.getAddress()))
        .to.be.revertedWithCustomError(credits, "VoiceCreditsCapBelowDeposit")
        .withArgs(9n, 10n);
      expect(await credits.governor()).to.equal(gov.address);
    });

    it("refuses setGovernor(zero) with VoiceCreditsInvalidGovernor and keeps the governor", async function () {
      const { credits, gov, alice } = await networkHelpers.loadFixture(twoMembersFixture);
      const before = await creditsState(credits, [alice.address, gov.address]);
      await expect(credits.setGovernor(ZeroAddress))
        .to.be.revertedWithCustomError(credits, "VoiceCreditsInvalidGovernor")
        .withArgs(ZeroAddress);
      expect(await creditsState(credits, [alice.address, gov.address])).to.deep.equal(before);
      expect(await credits.governor()).to.equal(gov.address);
    });

    it("refuses setGovernor and setSchedule by an account that is not the owner, the governor included", async function () {
      const { credits, gov, alice } = await networkHelpers.loadFixture(twoMembersFixture);
      const before = await creditsState(credits, [alice.address]);
      for (const caller of [gov, alice]) {
        await expect(credits.connect(caller).setGovernor(caller.address))
          .to.be.revertedWithCustomError(credits, "OwnableUnauthorizedAccount")
          .withArgs(caller.address);
        await expect(credits.connect(caller).setSchedule(DAY, 1000n, 100000n))
          .to.be.revertedWithCustomError(credits, "OwnableUnauthorizedAccount")
          .withArgs(caller.address);
      }
      expect(await creditsState(credits, [alice.address])).to.deep.equal(before);
    });

    it("after deployCoop, refuses setGovernor and setSchedule by the former owner: the timelock owns the ledger", async function () {
      const { credits, governor, timelock, deployer, alice } = await networkHelpers.loadFixture(deployedCoopFixture);
      expect(await credits.owner()).to.equal(await timelock.getAddress());
      expect(await credits.governor()).to.equal(await governor.getAddress());
      const before = await creditsState(credits, [alice.address]);
      await expect(credits.connect(deployer).setGovernor(deployer.address))
        .to.be.revertedWithCustomError(credits, "OwnableUnauthorizedAccount")
        .withArgs(deployer.address);
      await expect(credits.connect(deployer).setSchedule(DAY, 1000n, 100000n))
        .to.be.revertedWithCustomError(credits, "OwnableUnauthorizedAccount")
        .withArgs(deployer.address);
      await expect(credits.connect(deployer).holdDeposit(alice.address, 1n))
        .to.be.revertedWithCustomError(credits, "VoiceCreditsUnauthorizedGovernor")
        .withArgs(deployer.address);
      expect(await creditsState(credits, [alice.address])).to.deep.equal(before);
    });
  });

  describe("deposits", function () {
    it("holdDeposit accrues first, then moves credits to the governor with DepositHeld(member, epoch, amount, balanceAfter)", async function () {
      const { credits, gov, alice, start } = await networkHelpers.loadFixture(twoMembersFixture);
      await time.setNextBlockTimestamp(start + WEEK + DAY);
      await expect(credits.connect(gov).holdDeposit(alice.address, 160n))
        .to.emit(credits, "DepositHeld")
        .withArgs(alice.address, 1n, 160n, 40n);
      expect(await credits.balanceOf(alice.address)).to.equal(40n);
      expect(await credits.heldDeposits()).to.equal(160n);
      expect(await credits.balanceOf(gov.address)).to.equal(160n);
      expect(tuple(await credits.accountOf(alice.address))).to.deep.equal([40n, 1n, BigInt(start + 100), 1n]);
    });

    it("adds up deposits from several members; the governor's balanceOf is the total held", async function () {
      const { credits, gov, alice, bob } = await networkHelpers.loadFixture(twoMembersFixture);
      await (await credits.connect(gov).holdDeposit(alice.address, 10n)).wait();
      await (await credits.connect(gov).holdDeposit(bob.address, 15n)).wait();
      await (await credits.connect(gov).holdDeposit(alice.address, 0n)).wait();
      expect(await credits.heldDeposits()).to.equal(25n);
      expect(await credits.balanceOf(gov.address)).to.equal(25n);
      expect(await credits.balanceOf(alice.address)).to.equal(90n);
      expect(await credits.balanceOf(bob.address)).to.equal(85n);
    });

    it("refuses a deposit larger than the balance with InsufficientCredits(member, needed, available) and changes nothing", async function () {
      const { credits, gov, alice, bob, start } = await networkHelpers.loadFixture(twoMembersFixture);
      await time.increaseTo(start + WEEK + DAY);
      const accounts = [alice.address, bob.address, gov.address];
      const before = await creditsState(credits, accounts);
      expect(before.rows[0].balanceOf).to.equal(200n);
      await time.setNextBlockTimestamp(start + WEEK + DAY + 10);
      await expect(credits.connect(gov).holdDeposit(alice.address, 201n))
        .to.be.revertedWithCustomError(credits, "InsufficientCredits")
        .withArgs(alice.address, 201n, 200n);
      expect(await creditsState(credits, accounts)).to.deep.equal(before);
    });

    it("refuses a deposit from a non-member or a former member with VoiceCreditsNotMember", async function () {
      const { card, credits, gov, alice, stranger } = await networkHelpers.loadFixture(twoMembersFixture);
      await (await card.connect(alice).resign()).wait();
      const accounts = [alice.address, stranger.address, gov.address];
      const before = await creditsState(credits, accounts);
      await expect(credits.connect(gov).holdDeposit(stranger.address, 1n))
        .to.be.revertedWithCustomError(credits, "VoiceCreditsNotMember")
        .withArgs(stranger.address);
      await expect(credits.connect(gov).holdDeposit(alice.address, 0n))
        .to.be.revertedWithCustomError(credits, "VoiceCreditsNotMember")
        .withArgs(alice.address);
      expect(await creditsState(credits, accounts)).to.deep.equal(before);
    });

    it("returnDeposit gives a deposit back in full below the cap: DepositReturned(member, epoch, amount, credited)", async function () {
      const { credits, gov, alice, start } = await networkHelpers.loadFixture(twoMembersFixture);
      await sendAt(start + WEEK + DAY, () => credits.connect(gov).holdDeposit(alice.address, 60n)); // 200 - 60
      await time.increaseTo(start + 2 * WEEK + DAY); // 240
      expect(await credits.connect(gov).returnDeposit.staticCall(alice.address, 60n)).to.equal(60n);
      await time.setNextBlockTimestamp(start + 2 * WEEK + DAY + 1);
      await expect(credits.connect(gov).returnDeposit(alice.address, 60n))
        .to.emit(credits, "DepositReturned")
        .withArgs(alice.address, 2n, 60n, 60n);
      expect(await credits.balanceOf(alice.address)).to.equal(300n);
      expect(await credits.heldDeposits()).to.equal(0n);
      expect(await credits.balanceOf(gov.address)).to.equal(0n);
    });

    it("returnDeposit is capped at maxBalance: only what fits is credited and the rest is burned", async function () {
      const { credits, gov, alice, bob, start } = await networkHelpers.loadFixture(twoMembersFixture);
      await sendAt(start + 4 * WEEK, () => credits.connect(gov).holdDeposit(alice.address, 150n)); // 400 -> 250
      await sendAt(start + 4 * WEEK + 1, () => credits.connect(gov).holdDeposit(bob.address, 100n)); // 400 -> 300
      await time.increaseTo(start + 5 * WEEK + DAY); // alice 350, bob 400
      expect(await credits.balanceOf(alice.address)).to.equal(350n);
      expect(await credits.balanceOf(bob.address)).to.equal(400n);

      expect(await credits.connect(gov).returnDeposit.staticCall(alice.address, 150n)).to.equal(50n);
      await time.setNextBlockTimestamp(start + 5 * WEEK + DAY + 1);
      await expect(credits.connect(gov).returnDeposit(alice.address, 150n))
        .to.emit(credits, "DepositReturned")
        .withArgs(alice.address, 5n, 150n, 50n);
      expect(await credits.balanceOf(alice.address)).to.equal(MAX_BALANCE);

      // A member already at the cap gets nothing credited.
      await expect(credits.connect(gov).returnDeposit(bob.address, 100n))
        .to.emit(credits, "DepositReturned")
        .withArgs(bob.address, 5n, 100n, 0n);
      expect(await credits.balanceOf(bob.address)).to.equal(MAX_BALANCE);
      expect(await credits.heldDeposits()).to.equal(0n);
    });

    it("returnDeposit to a member who left burns the deposit: DepositBurned, nothing credited", async function () {
      const { card, credits, gov, alice } = await networkHelpers.loadFixture(twoMembersFixture);
      await (await credits.connect(gov).holdDeposit(alice.address, 20n)).wait();
      await (await card.connect(alice).resign()).wait();
      expect(await credits.connect(gov).returnDeposit.staticCall(alice.address, 20n)).to.equal(0n);
      const tx = credits.connect(gov).returnDeposit(alice.address, 20n);
      await expect(tx).to.emit(credits, "DepositBurned").withArgs(20n);
      await expect(tx).to.not.emit(credits, "DepositReturned");
      expect(await credits.heldDeposits()).to.equal(0n);
      expect(await credits.balanceOf(alice.address)).to.equal(0n);
      expect(tuple(await credits.accountOf(alice.address))).to.deep.equal([0n, 0n, 0n, 0n]);
    });

    it("refuses to return or burn more than is held with VoiceCreditsInsufficientHeld(amount, held)", async function () {
      const { credits, gov, alice, bob } = await networkHelpers.loadFixture(twoMembersFixture);
      await (await credits.connect(gov).holdDeposit(alice.address, 30n)).wait();
      const accounts = [alice.address, bob.address, gov.address];
      const before = await creditsState(credits, accounts);
      await expect(credits.connect(gov).returnDeposit(alice.address, 31n))
        .to.be.revertedWithCustomError(credits, "VoiceCreditsInsufficientHeld")
        .withArgs(31n, 30n);
      await expect(credits.connect(gov).returnDeposit(bob.address, 31n))
        .to.be.revertedWithCustomError(credits, "VoiceCreditsInsufficientHeld")
        .withArgs(31n, 30n);
      await expect(credits.connect(gov).burnDeposit(31n))
        .to.be.revertedWithCustomError(credits, "VoiceCreditsInsufficientHeld")
        .withArgs(31n, 30n);
      expect(await creditsState(credits, accounts)).to.deep.equal(before);
    });

    it("burnDeposit destroys held credits: DepositBurned, and heldDeposits and the governor's balance fall", async function () {
      const { credits, gov, alice } = await networkHelpers.loadFixture(twoMembersFixture);
      await (await credits.connect(gov).holdDeposit(alice.address, 30n)).wait();
      await expect(credits.connect(gov).burnDeposit(12n)).to.emit(credits, "DepositBurned").withArgs(12n);
      expect(await credits.heldDeposits()).to.equal(18n);
      expect(await credits.balanceOf(gov.address)).to.equal(18n);
      expect(await credits.balanceOf(alice.address)).to.equal(70n);
      await expect(credits.connect(gov).burnDeposit(18n)).to.emit(credits, "DepositBurned").withArgs(18n);
      expect(await credits.heldDeposits()).to.equal(0n);
    });
  });

  describe("spendForVote", function () {
    it("returns NotEligible for a non-member and changes nothing", async function () {
      const { credits, gov, alice, stranger, start } = await networkHelpers.loadFixture(twoMembersFixture);
      const [status, available] = await credits.connect(gov).spendForVote.staticCall(stranger.address, start + 150, 1n);
      expect([status, available]).to.deep.equal([BigInt(SpendStatus.NotEligible), 0n]);
      const before = await creditsState(credits, [alice.address, stranger.address]);
      await (await credits.connect(gov).spendForVote(stranger.address, start + 150, 1n)).wait();
      expect(await creditsState(credits, [alice.address, stranger.address])).to.deep.equal(before);
    });

    it("returns NotEligible for a member admitted after the snapshot, and Ok for one admitted exactly at it", async function () {
      const { credits, gov, alice, start } = await networkHelpers.loadFixture(twoMembersFixture);
      const since = start + 100;
      expect(await credits.connect(gov).spendForVote.staticCall(alice.address, since - 1, 5n)).to.deep.equal([
        BigInt(SpendStatus.NotEligible),
        0n,
      ]);
      const before = await creditsState(credits, [alice.address]);
      await (await credits.connect(gov).spendForVote(alice.address, since - 1, 5n)).wait();
      expect(await creditsState(credits, [alice.address])).to.deep.equal(before);

      expect(await credits.connect(gov).spendForVote.staticCall(alice.address, since, 5n)).to.deep.equal([
        BigInt(SpendStatus.Ok),
        100n,
      ]);
      await (await credits.connect(gov).spendForVote(alice.address, since, 5n)).wait();
      expect(await credits.balanceOf(alice.address)).to.equal(95n);
    });

    it("returns NotEligible for a re-admitted member or a reassigned card when the snapshot predates the current stint", async function () {
      const { card, credits, gov, alice, bob, carol, start } = await networkHelpers.loadFixture(twoMembersFixture);
      const snapshot = start + 1000;
      await sendAt(start + 2000, () => card.connect(alice).resign());
      await sendAt(start + 3000, () => card.admit(alice.address));
      await sendAt(start + 4000, () => card.reassign(bob.address, carol.address));
      for (const who of [alice, carol, bob]) {
        expect(
          await credits.connect(gov).spendForVote.staticCall(who.address, snapshot, 1n),
          who.address,
        ).to.deep.equal([BigInt(SpendStatus.NotEligible), 0n]);
      }
      const accounts = [alice.address, bob.address, carol.address];
      const before = await creditsState(credits, accounts);
      for (const who of [alice, carol, bob])
        await (await credits.connect(gov).spendForVote(who.address, snapshot, 1n)).wait();
      expect(await creditsState(credits, accounts)).to.deep.equal(before);
      // With a snapshot inside the current stint both are eligible.
      expect(await credits.connect(gov).spendForVote.staticCall(alice.address, start + 3000, 1n)).to.deep.equal([
        0n,
        100n,
      ]);
      expect(await credits.connect(gov).spendForVote.staticCall(carol.address, start + 4000, 1n)).to.deep.equal([
        0n,
        100n,
      ]);
    });

    it("returns InsufficientCredits with the available amount (accrual included) and spends nothing", async function () {
      const { credits, gov, alice, start } = await networkHelpers.loadFixture(twoMembersFixture);
      await time.increaseTo(start + WEEK + DAY);
      expect(await credits.connect(gov).spendForVote.staticCall(alice.address, start + 100, 201n)).to.deep.equal([
        BigInt(SpendStatus.InsufficientCredits),
        200n,
      ]);
      const before = await creditsState(credits, [alice.address]);
      await (await credits.connect(gov).spendForVote(alice.address, start + 100, 201n)).wait();
      expect(await creditsState(credits, [alice.address])).to.deep.equal(before);
    });

    it("returns Ok with the balance before the spend and charges the amount, bringing the account up to date", async function () {
      const { credits, gov, alice, start } = await networkHelpers.loadFixture(twoMembersFixture);
      await time.increaseTo(start + 2 * WEEK + DAY);
      expect(await credits.connect(gov).spendForVote.staticCall(alice.address, start + 100, 49n)).to.deep.equal([
        BigInt(SpendStatus.Ok),
        300n,
      ]);
      await (await credits.connect(gov).spendForVote(alice.address, start + 100, 49n)).wait();
      expect(await credits.balanceOf(alice.address)).to.equal(251n);
      expect(tuple(await credits.accountOf(alice.address))).to.deep.equal([251n, 2n, BigInt(start + 100), 1n]);
      // Spent credits are destroyed, not held.
      expect(await credits.heldDeposits()).to.equal(0n);
    });

    it("spends the whole balance down to zero, and accrual resumes at the next epoch", async function () {
      const { credits, gov, alice, start } = await networkHelpers.loadFixture(twoMembersFixture);
      await sendAt(start + 3 * DAY, () => credits.connect(gov).spendForVote(alice.address, start + 100, 100n));
      expect(await credits.balanceOf(alice.address)).to.equal(0n);
      expect(await credits.connect(gov).spendForVote.staticCall(alice.address, start + 100, 1n)).to.deep.equal([
        BigInt(SpendStatus.InsufficientCredits),
        0n,
      ]);
      await time.increaseTo(start + WEEK);
      expect(await credits.balanceOf(alice.address)).to.equal(100n);
    });

    it("treats a zero-credit spend by an eligible member as Ok and changes nothing", async function () {
      const { credits, gov, alice, start } = await networkHelpers.loadFixture(twoMembersFixture);
      const [status] = await credits.connect(gov).spendForVote.staticCall(alice.address, start + 100, 0n);
      expect(status).to.equal(BigInt(SpendStatus.Ok));
      const before = await creditsState(credits, [alice.address]);
      await (await credits.connect(gov).spendForVote(alice.address, start + 100, 0n)).wait();
      expect(await creditsState(credits, [alice.address])).to.deep.equal(before);
    });
  });

  describe("setSchedule", function () {
    it("takes effect at the next epoch boundary: ScheduleChanged(index, start, firstEpoch, ...) and currentSchedule switches then", async function () {
      const { credits, alice, stranger, start } = await networkHelpers.loadFixture(twoMembersFixture);
      const first = tuple(await credits.currentSchedule());
      expect(first).to.deep.equal([BigInt(start), 0n, BigInt(WEEK), CREDITS_PER_EPOCH, MAX_BALANCE]);
      await time.setNextBlockTimestamp(start + WEEK + 2 * DAY);
      await expect(credits.setSchedule(WEEK, 30n, 1000n))
        .to.emit(credits, "ScheduleChanged")
        .withArgs(1n, BigInt(start + 2 * WEEK), 2n, BigInt(WEEK), 30n, 1000n);
      expect(await credits.scheduleCount()).to.equal(2n);
      expect(tuple(await credits.scheduleAt(1))).to.deep.equal([
        BigInt(start + 2 * WEEK),
        2n,
        BigInt(WEEK),
        30n,
        1000n,
      ]);
      expect(tuple(await credits.currentSchedule())).to.deep.equal(first);
      expect(await credits.nextEpochStart()).to.equal(BigInt(start + 2 * WEEK));
      // While the change is pending, a non-member still reads as zero (and nothing reverts).
      expect(await credits.balanceOf(stranger.address)).to.equal(0n);
      expect(await credits.balanceOf(alice.address)).to.equal(200n);
      await time.increaseTo(start + 2 * WEEK - 1);
      expect(tuple(await credits.currentSchedule())).to.deep.equal(first);
      expect(await credits.currentEpoch()).to.equal(1n);
      await time.increaseTo(start + 2 * WEEK);
      expect(tuple(await credits.currentSchedule())).to.deep.equal([
        BigInt(start + 2 * WEEK),
        2n,
        BigInt(WEEK),
        30n,
        1000n,
      ]);
      expect(await credits.currentEpoch()).to.equal(2n);
    });

    it("never rewrites credits already accrued: the balance at the change is unchanged, later epochs follow the new rate and cap", async function () {
      const { card, credits, alice, carol, start } = await networkHelpers.loadFixture(twoMembersFixture);
      await time.increaseTo(start + WEEK + DAY);
      expect(await credits.balanceOf(alice.address)).to.equal(200n);
      await sendAt(start + WEEK + 2 * DAY, () => credits.setSchedule(WEEK, 30n, 250n));
      expect(await credits.balanceOf(alice.address)).to.equal(200n);
      // A member admitted before the boundary still opens under the old rules.
      await sendAt(start + WEEK + 3 * DAY, () => card.admit(carol.address));
      expect(await credits.balanceOf(carol.address)).to.equal(100n);
      await time.increaseTo(start + 2 * WEEK - 1);
      expect(await credits.balanceOf(alice.address)).to.equal(200n);
      const expected: [number, bigint, bigint][] = [
        [start + 2 * WEEK, 230n, 130n],
        [start + 3 * WEEK, 250n, 160n],
        [start + 4 * WEEK, 250n, 190n],
        [start + 7 * WEEK, 250n, 250n],
      ];
      for (const [t, a, c] of expected) {
        await time.increaseTo(t);
        expect(await credits.balanceOf(alice.address), `alice at start+${t - start}`).to.equal(a);
        expect(await credits.balanceOf(carol.address), `carol at start+${t - start}`).to.equal(c);
      }
    });

    it("leaves a balance above a lowered cap as it is, adds nothing to it, and resumes accrual up to the new cap once spent below", async function () {
      const { credits, gov, alice, start } = await networkHelpers.loadFixture(twoMembersFixture);
      await time.increaseTo(start + 3 * WEEK + DAY);
      expect(await credits.balanceOf(alice.address)).to.equal(400n);
      await sendAt(start + 3 * WEEK + 2 * DAY, () => credits.setSchedule(WEEK, 50n, 150n));
      for (const k of [4, 5, 9]) {
        await time.increaseTo(start + k * WEEK);
        expect(await credits.balanceOf(alice.address), `epoch ${k}`).to.equal(400n);
      }
      // A returned deposit does not lift a balance above the lowered cap either.
      await sendAt(start + 9 * WEEK + 1, () => credits.connect(gov).holdDeposit(alice.address, 300n));
      expect(await credits.balanceOf(alice.address)).to.equal(100n);
      await time.increaseTo(start + 10 * WEEK);
      expect(await credits.balanceOf(alice.address)).to.equal(150n);
      await time.increaseTo(start + 11 * WEEK);
      expect(await credits.balanceOf(alice.address)).to.equal(150n);
      await expect(credits.connect(gov).returnDeposit(alice.address, 300n))
        .to.emit(credits, "DepositReturned")
        .withArgs(alice.address, 11n, 300n, 0n);
      expect(await credits.balanceOf(alice.address)).to.equal(150n);
    });

    it("replaces a change not yet in force by a second change in the same epoch; a change in a later epoch adds a schedule", async function () {
      const { credits, alice, start } = await networkHelpers.loadFixture(twoMembersFixture);
      await time.setNextBlockTimestamp(start + DAY);
      await expect(credits.setSchedule(WEEK, 10n, 1000n))
        .to.emit(credits, "ScheduleChanged")
        .withArgs(1n, BigInt(start + WEEK), 1n, BigInt(WEEK), 10n, 1000n);
      await time.setNextBlockTimestamp(start + 2 * DAY);
      await expect(credits.setSchedule(WEEK, 70n, 1000n))
        .to.emit(credits, "ScheduleChanged")
        .withArgs(1n, BigInt(start + WEEK), 1n, BigInt(WEEK), 70n, 1000n);
      expect(await credits.scheduleCount()).to.equal(2n);
      expect(tuple(await credits.scheduleAt(1))).to.deep.equal([BigInt(start + WEEK), 1n, BigInt(WEEK), 70n, 1000n]);
      await expect(credits.scheduleAt(2)).to.be.revertedWithPanic(0x32);
      await time.increaseTo(start + WEEK);
      expect(await credits.balanceOf(alice.address)).to.equal(170n);

      // Once the boundary has passed, a new change is appended.
      await time.setNextBlockTimestamp(start + WEEK + DAY);
      await expect(credits.setSchedule(WEEK, 5n, 1000n))
        .to.emit(credits, "ScheduleChanged")
        .withArgs(2n, BigInt(start + 2 * WEEK), 2n, BigInt(WEEK), 5n, 1000n);
      expect(await credits.scheduleCount()).to.equal(3n);
      await time.increaseTo(start + 2 * WEEK);
      expect(await credits.balanceOf(alice.address)).to.equal(175n);
    });

    it("treats a change made exactly at a pending schedule's start as a new change (the pending one is in force)", async function () {
      const { credits, alice, start } = await networkHelpers.loadFixture(twoMembersFixture);
      await sendAt(start + DAY, () => credits.setSchedule(WEEK, 10n, 1000n));
      await time.setNextBlockTimestamp(start + WEEK);
      await expect(credits.setSchedule(WEEK, 20n, 1000n))
        .to.emit(credits, "ScheduleChanged")
        .withArgs(2n, BigInt(start + 2 * WEEK), 2n, BigInt(WEEK), 20n, 1000n);
      expect(await credits.scheduleCount()).to.equal(3n);
      await time.increaseTo(start + 2 * WEEK);
      expect(await credits.balanceOf(alice.address)).to.equal(130n);
    });

    it("renumbers epochs from the boundary when the epoch length changes (currentEpoch, nextEpochStart)", async function () {
      const { credits, alice, start } = await networkHelpers.loadFixture(twoMembersFixture);
      const B = start + WEEK;
      await sendAt(start + 3 * DAY, () => credits.setSchedule(DAY, 10n, 1000n));
      expect(await credits.currentEpoch()).to.equal(0n);
      expect(await credits.nextEpochStart()).to.equal(BigInt(B));
      await time.increaseTo(B - 1);
      expect(await credits.currentEpoch()).to.equal(0n);
      expect(await credits.nextEpochStart()).to.equal(BigInt(B));
      await time.increaseTo(B);
      expect(await credits.currentEpoch()).to.equal(1n);
      expect(await credits.nextEpochStart()).to.equal(BigInt(B + DAY));
      expect(await credits.balanceOf(alice.address)).to.equal(110n);
      await time.increaseTo(B + 3 * DAY + 5);
      expect(await credits.currentEpoch()).to.equal(4n);
      expect(await credits.nextEpochStart()).to.equal(BigInt(B + 4 * DAY));
      expect(await credits.balanceOf(alice.address)).to.equal(140n);

      // Back to weekly epochs from the next daily boundary.
      await time.setNextBlockTimestamp(B + 3 * DAY + 10);
      await expect(credits.setSchedule(WEEK, 100n, 1000n))
        .to.emit(credits, "ScheduleChanged")
        .withArgs(2n, BigInt(B + 4 * DAY), 4n + 1n, BigInt(WEEK), 100n, 1000n);
      await time.increaseTo(B + 4 * DAY);
      expect(await credits.currentEpoch()).to.equal(5n);
      expect(await credits.nextEpochStart()).to.equal(BigInt(B + 4 * DAY + WEEK));
      expect(await credits.balanceOf(alice.address)).to.equal(240n);
      await time.increaseTo(B + 4 * DAY + 2 * WEEK + 1);
      expect(await credits.currentEpoch()).to.equal(7n);
      expect(await credits.balanceOf(alice.address)).to.equal(440n);
    });

    const invalid: [string, bigint, bigint, bigint][] = [
      ["a zero epoch length", 0n, 10n, 100n],
      ["an epoch longer than 366 days", BigInt(366 * DAY + 1), 10n, 100n],
      ["zero credits per epoch", BigInt(DAY), 0n, 100n],
      ["a cap below the credits per epoch", BigInt(DAY), 101n, 100n],
      ["a cap above 2^48 - 1", BigInt(DAY), 10n, MAX_UINT48 + 1n],
    ];
    for (const [label, epochLength, perEpoch, cap] of invalid) {
      it(`refuses a schedule with ${label} with VoiceCreditsInvalidSchedule(...) and keeps the schedule`, async function () {
        const { credits, alice } = await networkHelpers.loadFixture(twoMembersFixture);
        const before = await creditsState(credits, [alice.address]);
        const firstBefore = tuple(await credits.scheduleAt(0));
        await expect(credits.setSchedule(epochLength, perEpoch, cap))
          .to.be.revertedWithCustomError(credits, "VoiceCreditsInvalidSchedule")
          .withArgs(epochLength, perEpoch, cap);
        expect(await creditsState(credits, [alice.address])).to.deep.equal(before);
        expect(tuple(await credits.scheduleAt(0))).to.deep.equal(firstBefore);
      });
    }

    it("refuses an invalid schedule at deployment with VoiceCreditsInvalidSchedule", async function () {
      const { card, owner } = await networkHelpers.loadFixture(ownedFixture);
      const factory = await ethers.getContractFactory("VoiceCredits", owner);
      await expect(deployCredits(ethers, card, owner, { epochLength: 0, creditsPerEpoch: 10n, maxBalance: 100n }))
        .to.be.revertedWithCustomError(factory, "VoiceCreditsInvalidSchedule")
        .withArgs(0n, 10n, 100n);
      await expect(deployCredits(ethers, card, owner, { epochLength: WEEK, creditsPerEpoch: 100n, maxBalance: 99n }))
        .to.be.revertedWithCustomError(factory, "VoiceCreditsInvalidSchedule")
        .withArgs(BigInt(WEEK), 100n, 99n);
    });

    it("accepts the boundary values: 366-day epochs, a cap equal to the rate, a cap of 2^48 - 1", async function () {
      const { credits, alice, start } = await networkHelpers.loadFixture(twoMembersFixture);
      await sendAt(start + DAY, () => credits.setSchedule(366 * DAY, 5n, 5n));
      expect(tuple(await credits.scheduleAt(1))).to.deep.equal([BigInt(start + WEEK), 1n, BigInt(366 * DAY), 5n, 5n]);
      await sendAt(start + 2 * DAY, () => credits.setSchedule(DAY, MAX_UINT48, MAX_UINT48));
      expect(tuple(await credits.scheduleAt(1))).to.deep.equal([
        BigInt(start + WEEK),
        1n,
        BigInt(DAY),
        MAX_UINT48,
        MAX_UINT48,
      ]);
      expect(await credits.scheduleCount()).to.equal(2n);
      await time.increaseTo(start + WEEK + 3 * DAY);
      // 100 (epoch 0), then the cap is reached at once.
      expect(await credits.balanceOf(alice.address)).to.equal(MAX_UINT48);
    });

    it("gives a member untouched across several schedule changes exactly the balance of a step-by-step epoch model", async function () {
      const { card, credits, gov, alice, bob, carol, start } = await networkHelpers.loadFixture(twoMembersFixture);
      const S = BigInt(start);
      const model = new ScheduleModel(schedOf(await credits.scheduleAt(0)));
      const accounts: Record<string, ModelAccount | undefined> = {
        [alice.address]: openModel(model, S + 100n),
        [bob.address]: { balance: 100n, epoch: 0n },
      };
      let nowT = S + 200n;

      const check = async (label: string) => {
        expect(await credits.currentEpoch(), `${label}: epoch`).to.equal(model.epochAt(nowT));
        expect(await credits.nextEpochStart(), `${label}: next epoch start`).to.equal(model.nextEpochStart(nowT));
        expect(await credits.scheduleCount(), `${label}: schedule count`).to.equal(BigInt(model.schedules.length));
        for (const [who, acc] of Object.entries(accounts)) {
          expect(await credits.balanceOf(who), `${label}: balance of ${who}`).to.equal(modelBalance(model, acc, nowT));
        }
      };
      const setAt = async (t: bigint, len: number, per: bigint, cap: bigint) => {
        nowT = t;
        await sendAt(Number(t), () => credits.setSchedule(len, per, cap));
        model.set(t, BigInt(len), per, cap);
        await check(`set(${len},${per},${cap}) at S+${t - S}`);
      };
      const waitUntil = async (t: bigint) => {
        nowT = t;
        await time.increaseTo(Number(t));
        await check(`at S+${t - S}`);
      };

      const W = BigInt(WEEK);
      const D = BigInt(DAY);
      const H = BigInt(HOUR);
      await setAt(S + 3n * D, DAY, 7n, 60n); // daily, 7 per day, cap 60 (below alice's coming balance)
      await waitUntil(S + W + 5n * H);
      await waitUntil(S + W + 2n * D + 3n * H);
      await setAt(S + W + 2n * D + 4n * H, 3 * DAY, 25n, 500n); // pending...
      await setAt(S + W + 2n * D + 5n * H, 2 * DAY, 40n, 1000n); // ...replaced in the same epoch
      // Bob is touched (a deposit) while alice is not.
      nowT = S + W + 4n * D;
      await sendAt(Number(nowT), () => credits.connect(gov).holdDeposit(bob.address, 33n));
      accounts[bob.address] = {
        balance: modelBalance(model, accounts[bob.address], nowT) - 33n,
        epoch: model.epochAt(nowT),
      };
      await check("after bob's deposit");
      await waitUntil(S + 3n * W);
      await setAt(S + 3n * W + 1n * H, 5 * HOUR, 3n, 90n); // a lowered cap
      // Carol joins under the five-hour schedule and is never touched either.
      nowT = S + 3n * W + 2n * D;
      await sendAt(Number(nowT), () => card.admit(carol.address));
      accounts[carol.address] = openModel(model, nowT);
      await check("after carol joined");
      await waitUntil(S + 4n * W + 7n * H);
      await setAt(S + 4n * W + 8n * H, WEEK, 200n, 5000n);
      await waitUntil(S + 9n * W);
      await setAt(S + 9n * W + 1n, HOUR, 1n, 5000n);
      await waitUntil(S + 11n * W + 17n * H + 3n);

      // The model really was exercised: several schedules, and balances that differ from a single-schedule answer.
      expect(model.schedules.length).to.equal(6);
      const aliceBalance = await credits.balanceOf(alice.address);
      expect(aliceBalance).to.not.equal(MAX_BALANCE);
      expect(aliceBalance).to.equal(modelBalance(model, accounts[alice.address], nowT));
      for (let i = 0; i < model.schedules.length; i++) {
        expect(schedOf(await credits.scheduleAt(i)), `schedule ${i}`).to.deep.equal(model.schedules[i]);
      }
    });

    it("matches the step-by-step model over a long random run of schedule changes, deposits and returns", async function () {
      this.timeout(120_000);
      const { credits, gov, alice, bob, start } = await networkHelpers.loadFixture(twoMembersFixture);
      const rand = prng(0x5eed);
      const S = BigInt(start);
      const model = new ScheduleModel(schedOf(await credits.scheduleAt(0)));
      const aliceAcc = openModel(model, S + 100n); // never touched again
      let bobAcc: ModelAccount = openModel(model, S + 200n);
      let held = 0n;
      let nowT = S + 200n;
      const lengths = [HOUR, 6 * HOUR, DAY, 2 * DAY, WEEK];
      let replaced = 0;
      let lowered = 0;

      for (let step = 0; step < 60; step++) {
        nowT += 1n + BigInt(rand(3 * DAY));
        const action = rand(100);
        if (action < 45) {
          const times = action < 15 ? 2 : 1;
          for (let k = 0; k < times; k++) {
            const len = lengths[rand(lengths.length)];
            const per = BigInt(1 + rand(150));
            const cap = per + BigInt(rand(Number(per) * 5));
            if (cap < modelBalance(model, aliceAcc, nowT)) lowered++;
            if (k === 1) {
              nowT += 1n;
              if (model.schedules[model.schedules.length - 1].start > nowT) replaced++;
            }
            await sendAt(Number(nowT), () => credits.setSchedule(len, per, cap));
            model.set(nowT, BigInt(len), per, cap);
          }
        } else if (action < 70) {
          const available = modelBalance(model, bobAcc, nowT);
          const amount = BigInt(rand(Number(available) + 1));
          await sendAt(Number(nowT), () => credits.connect(gov).holdDeposit(bob.address, amount));
          bobAcc = { balance: available - amount, epoch: model.epochAt(nowT) };
          held += amount;
        } else if (action < 85 && held > 0n) {
          const amount = BigInt(1 + rand(Number(held)));
          const b = modelBalance(model, bobAcc, nowT);
          const cap = model.active(nowT).maxBalance;
          const credited = b < cap ? (amount < cap - b ? amount : cap - b) : 0n;
          await time.setNextBlockTimestamp(Number(nowT));
          await expect(credits.connect(gov).returnDeposit(bob.address, amount))
            .to.emit(credits, "DepositReturned")
            .withArgs(bob.address, model.epochAt(nowT), amount, credited);
          bobAcc = { balance: b + credited, epoch: model.epochAt(nowT) };
          held -= amount;
        } else {
          await time.increaseTo(Number(nowT));
        }

        const label = `step ${step} at S+${nowT - S}`;
        expect(await credits.balanceOf(alice.address), `${label}: alice`).to.equal(modelBalance(model, aliceAcc, nowT));
        expect(await credits.balanceOf(bob.address), `${label}: bob`).to.equal(modelBalance(model, bobAcc, nowT));
        expect(await credits.heldDeposits(), `${label}: held`).to.equal(held);
        expect(await credits.currentEpoch(), `${label}: epoch`).to.equal(model.epochAt(nowT));
        expect(await credits.nextEpochStart(), `${label}: next`).to.equal(model.nextEpochStart(nowT));
        expect(await credits.scheduleCount(), `${label}: count`).to.equal(BigInt(model.schedules.length));
        expect(schedOf(await credits.currentSchedule()), `${label}: current`).to.deep.equal(model.active(nowT));
      }
      // The run exercised the interesting paths.
      expect(model.schedules.length).to.be.greaterThan(10);
      expect(replaced).to.be.greaterThan(0);
      expect(lowered).to.be.greaterThan(0);
    });
  });

  describe("recomputing balances from events alone", function () {
    it("replays AccountOpened/Closed/Moved, DepositHeld/Returned and ScheduleChanged to every member's balanceOf", async function () {
      const { card, credits, gov, alice, bob, carol, dave, start } = await networkHelpers.loadFixture(ownedFixture);
      const D = DAY;
      const W = WEEK;
      const at = (t: number, send: () => Promise<ContractTransactionResponse>) => sendAt(start + t, send);

      // A scenario touching every kind of event.
      await at(100, () => card.admit(alice.address));
      await at(200, () => card.admit(bob.address));
      await at(W + D, () => credits.connect(gov).holdDeposit(alice.address, 50n));
      await at(W + 2 * D, () => credits.setSchedule(D, 40n, 300n));
      await at(W + 3 * D, () => credits.setSchedule(2 * D, 60n, 250n)); // replaces the previous, same index
      await at(2 * W + 3 * D, () => card.admit(carol.address));
      await at(2 * W + 3 * D + 10, () => credits.connect(gov).returnDeposit(alice.address, 50n));
      await at(2 * W + 5 * D, () => card.connect(bob).resign());
      await at(2 * W + 9 * D, () => card.admit(bob.address));
      await at(2 * W + 9 * D + 10, () => credits.connect(gov).holdDeposit(bob.address, 30n));
      await at(2 * W + 10 * D, () => card.reassign(carol.address, dave.address));
      await at(2 * W + 11 * D, () => credits.connect(gov).holdDeposit(dave.address, 40n));
      await at(2 * W + 11 * D + 10, () => credits.connect(gov).burnDeposit(40n));
      await at(2 * W + 11 * D + 20, () => credits.connect(gov).holdDeposit(alice.address, 20n));
      await at(2 * W + 12 * D, () => credits.setSchedule(3 * D, 10n, 100n)); // lowered cap
      await at(2 * W + 20 * D, () => card.expel(alice.address, "moved away"));
      await at(2 * W + 20 * D + 10, () => credits.connect(gov).returnDeposit(alice.address, 20n)); // burned: she left
      await at(2 * W + 20 * D + 20, () => credits.connect(gov).holdDeposit(dave.address, 5n));
      await at(2 * W + 21 * D, () => credits.connect(gov).returnDeposit(bob.address, 30n)); // capped
      await time.increaseTo(start + 2 * W + 30 * D + 7);

      // ---- the auditor's side: events and nothing else ----
      const logs = await ethers.provider.getLogs({
        address: await credits.getAddress(),
        fromBlock: 0,
        toBlock: "latest",
      });
      const events = logs
        .slice()
        .sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index)
        .map((l) => credits.interface.parseLog(l))
        .filter((e): e is LogDescription => e !== null);

      const model = new ScheduleModel();
      const accounts = new Map<string, ModelAccount>();
      const seen = new Set<string>();
      let held = 0n;
      const counts: Record<string, number> = {};
      const accrueTo = (who: string, epoch: bigint): bigint => {
        const a = accounts.get(who);
        if (a === undefined) throw new Error(`no account for ${who}`);
        expect(epoch >= a.epoch, "events never go back in epochs").to.equal(true);
        return model.stepwise(a.balance, a.epoch, epoch);
      };

      for (const e of events) {
        counts[e.name] = (counts[e.name] ?? 0) + 1;
        const args = e.args;
        switch (e.name) {
          case "ScheduleChanged": {
            const index = Number(args.index);
            model.schedules.length = index; // a change with an existing index replaces it (and anything after)
            model.schedules.push({
              start: args.start,
              firstEpoch: args.firstEpoch,
              epochLength: args.epochLength,
              creditsPerEpoch: args.creditsPerEpoch,
              maxBalance: args.maxBalance,
            });
            break;
          }
          case "AccountOpened":
            accounts.set(args.member, { balance: args.balance, epoch: args.epoch });
            seen.add(args.member);
            break;
          case "AccountClosed":
            expect(accrueTo(args.member, args.epoch), "forfeited").to.equal(args.forfeited);
            accounts.delete(args.member);
            break;
          case "AccountMoved": {
            expect(accrueTo(args.from, args.epoch), "moved balance").to.equal(args.balance);
            accounts.delete(args.from);
            accounts.set(args.to, { balance: args.balance, epoch: args.epoch });
            seen.add(args.to);
            break;
          }
          case "DepositHeld": {
            const after = accrueTo(args.member, args.epoch) - args.amount;
            expect(after, "balance after deposit").to.equal(args.balanceAfter);
            accounts.set(args.member, { balance: after, epoch: args.epoch });
            held += args.amount;
            break;
          }
          case "DepositReturned": {
            const after = accrueTo(args.member, args.epoch) + args.credited;
            accounts.set(args.member, { balance: after, epoch: args.epoch });
            held -= args.amount;
            break;
          }
          case "DepositBurned":
            held -= args.amount;
            break;
          default:
            break;
        }
      }

      const now = BigInt(await time.latest());
      const epochNow = model.epochAt(now);
      expect(await credits.currentEpoch()).to.equal(epochNow);
      for (const who of [alice.address, bob.address, carol.address, dave.address]) {
        expect(seen.has(who), `${who} appears in the events`).to.equal(true);
        const a = accounts.get(who);
        const replayed = a === undefined ? 0n : model.stepwise(a.balance, a.epoch, epochNow);
        expect(await credits.balanceOf(who), `balance of ${who}`).to.equal(replayed);
      }
      expect(await credits.heldDeposits()).to.equal(held);
      expect(model.schedules.length).to.equal(Number(await credits.scheduleCount()));
      for (let i = 0; i < model.schedules.length; i++) {
        expect(schedOf(await credits.scheduleAt(i))).to.deep.equal(model.schedules[i]);
      }

      // Every kind of event took part, and the scenario left non-trivial balances to check.
      expect(counts).to.include({
        AccountOpened: 4,
        AccountClosed: 2,
        AccountMoved: 1,
        DepositHeld: 5,
        DepositReturned: 2,
      });
      expect(counts.ScheduleChanged).to.equal(4);
      expect(counts.DepositBurned).to.equal(2);
      expect(accounts.has(alice.address)).to.equal(false);
      expect(accounts.has(carol.address)).to.equal(false);
      expect(await credits.balanceOf(bob.address)).to.be.greaterThan(0n);
      expect(await credits.balanceOf(dave.address)).to.be.greaterThan(0n);
    });
  });
});
