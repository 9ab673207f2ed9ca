import { expect } from "chai";
import { network } from "hardhat";
import { anyValue } from "@nomicfoundation/hardhat-ethers-chai-matchers/withArgs";
import { ZeroAddress, getAddress, toBeHex } from "ethers";
import type { Interface } from "ethers";
import { createRequire } from "node:module";

import { DAY, defaultConfig, deployCoop } from "../../deploy/coop.ts";
import type { MembershipCard } from "../../types/ethers-contracts/index.ts";
import { blockTime, deployCard, deployCredits, deployOwnedCard, type OwnedCard } from "../helpers/governor-fixtures.ts";
import { storageSlot } from "../helpers/storage-layout.ts";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const { time } = networkHelpers;

const WEEK = 7 * DAY;
const COOP_NAME = "Bakery Co-op";
const CREDITS_PER_EPOCH = 100n;

// ------------------------------------------------------------------------------------------------
// Fixtures
// ------------------------------------------------------------------------------------------------

/** The credits' name in these tests. */
const CREDITS_NAME = `${COOP_NAME} Voice Credits`;

/** A card and a credits ledger whose owner stays the deployer, so governance-only paths can be called directly. */
async function ownedCoopFixture(): Promise<OwnedCard> {
  return deployOwnedCard(ethers, { card: COOP_NAME, credits: CREDITS_NAME });
}

/** A card whose credits ledger is not bound yet. */
async function unboundCardFixture() {
  const [owner, alice, stranger] = await ethers.getSigners();
  const card = await deployCard(ethers, owner, COOP_NAME);
  const credits = await deployCredits(ethers, card, owner, { name: CREDITS_NAME });
  return { card, credits, owner, alice, stranger };
}

/** A whole co-op deployed by the deploy script: every power handed to the timelock. */
async function deployedCoopFixture() {
  const [deployer, alice, bob, carol, stranger] = await ethers.getSigners();
  const coop = await deployCoop(connection, defaultConfig([alice.address, bob.address]));
  return { ...coop, deployer, alice, bob, carol, stranger };
}

/** A card named `name`, bound to its credits, with alice admitted. */
async function namedCard(name: string) {
  const [owner, alice] = await ethers.getSigners();
  const card = await deployCard(ethers, owner, name);
  const credits = await deployCredits(ethers, card, owner, { name: CREDITS_NAME });
  await (await card.bindVoiceCredits(await credits.getAddress())).wait();
  await (await card.admit(alice.address)).wait();
  return { card, owner, alice };
}

/** A co-op whose name needs escaping in both JSON and XML. */
const NASTY_NAME = 'Bread & Roses "<Café ☕ Co-op>" \\ back\nslash\t</text><script>x</script>';
const nastyNameFixture = () => namedCard(NASTY_NAME);

/** An everyday name with one metacharacter and none of the control characters. */
const AMPERSAND_NAME = "Bread & Roses Bakers' Co-op (North)";
const ampersandNameFixture = () => namedCard(AMPERSAND_NAME);

// ------------------------------------------------------------------------------------------------
// Helpers
// ------------------------------------------------------------------------------------------------

const { timestampOf, sendAt } = blockTime(connection);

/** Everything the register exposes about `accounts` and the cards ever issued, for "nothing changed" checks. */
async function cardState(card: MembershipCard, accounts: string[]) {
  const issued = await card.cardsIssued();
  const owners: string[] = [];
  for (let id = 1n; id <= issued; id++) {
    owners.push(await card.ownerOf(id).catch(() => "burned"));
  }
  const members = [];
  for (const a of accounts) {
    members.push({
      account: a,
      isMember: await card.isMember(a),
      cardOf: await card.cardOf(a),
      memberSince: await card.memberSince(a),
      balanceOf: await card.balanceOf(a),
      pastStints: await card.pastStintCount(a),
    });
  }
  return { memberCount: await card.memberCount(), issued, owners, members };
}

/** The parts of a jsdom XML document these tests read (jsdom ships no types of its own). */
interface XmlElement {
  nodeName: string;
  textContent: string | null;
  getAttribute(name: string): string | null;
}
interface XmlDocument {
  documentElement: XmlElement;
  getElementsByTagName(name: string): ArrayLike<XmlElement>;
}
const { JSDOM } = createRequire(import.meta.url)("jsdom") as {
  JSDOM: new (markup: string, options: { contentType: string }) => { window: { document: XmlDocument } };
};

/** `svg` parsed as XML (jsdom throws on a document that is not well formed), and its <text> elements. */
function parseSvg(svg: string): { root: XmlElement; texts: XmlElement[]; scripts: number } {
  const doc = new JSDOM(svg, { contentType: "image/svg+xml" }).window.document;
  return {
    root: doc.documentElement,
    texts: Array.from(doc.getElementsByTagName("text")),
    scripts: doc.getElementsByTagName("script").length,
  };
}

interface Metadata {
  name: string;
  description: string;
  image: string;
  attributes: { trait_type: string; value: number; display_type?: string }[];
}

/** Decodes a `data:application/json;base64,` token URI and its embedded SVG, checking both encodings are canonical. */
function decodeTokenURI(uri: string): { meta: Metadata; svg: string } {
  const jsonPrefix = "data:application/json;base64,";
  expect(uri.startsWith(jsonPrefix), "token URI must be a base64 JSON data: URI").to.equal(true);
  const jsonB64 = uri.slice(jsonPrefix.length);
  const json = Buffer.from(jsonB64, "base64").toString("utf8");
  expect(Buffer.from(json, "utf8").toString("base64"), "JSON payload must be canonical base64").to.equal(jsonB64);
  const meta = JSON.parse(json) as Metadata;

  const svgPrefix = "data:image/svg+xml;base64,";
  expect(meta.image.startsWith(svgPrefix), "image must be a base64 SVG data: URI").to.equal(true);
  const svgB64 = meta.image.slice(svgPrefix.length);
  const svg = Buffer.from(svgB64, "base64").toString("utf8");
  expect(Buffer.from(svg, "utf8").toString("base64"), "SVG payload must be canonical base64").to.equal(svgB64);
  return { meta, svg };
}

/** XOR of the selectors of `signatures` in the card's ABI: an ERC-165 interface id. */
function interfaceId(card: MembershipCard, signatures: string[]): string {
  let id = 0n;
  for (const sig of signatures) {
    const iface: Interface = card.interface;
    const fragment = iface.getFunction(sig);
    if (fragment === null) throw new Error(`missing ${sig}`);
    id ^= BigInt(fragment.selector);
  }
  return toBeHex(id, 4);
}

// ------------------------------------------------------------------------------------------------
// Tests
// ------------------------------------------------------------------------------------------------

describe("MembershipCard", function () {
  describe("deployment", function () {
    it("exposes the co-op's name and symbol and the ERC-6372 timestamp clock", async function () {
      const { card } = await networkHelpers.loadFixture(ownedCoopFixture);
      expect(await card.name()).to.equal(COOP_NAME);
      expect(await card.symbol()).to.equal("BAKE");
      expect(await card.CLOCK_MODE()).to.equal("mode=timestamp");
      expect(await card.clock()).to.equal(BigInt(await time.latest()));
      await time.increase(1234);
      expect(await card.clock()).to.equal(BigInt(await time.latest()));
      expect(await card.memberCount()).to.equal(0n);
      expect(await card.cardsIssued()).to.equal(0n);
    });
  });

  describe("bindVoiceCredits", function () {
    it("binds the credits ledger once and emits VoiceCreditsBound", async function () {
      const { card, credits } = await networkHelpers.loadFixture(unboundCardFixture);
      expect(await card.voiceCredits()).to.equal(ZeroAddress);
      await expect(card.bindVoiceCredits(await credits.getAddress()))
        .to.emit(card, "VoiceCreditsBound")
        .withArgs(await credits.getAddress());
      expect(await card.voiceCredits()).to.equal(await credits.getAddress());
    });

    it("refuses to bind a second credits ledger and keeps the first", async function () {
      const { card, credits, owner } = await networkHelpers.loadFixture(ownedCoopFixture);
      const other = await deployCredits(ethers, card, owner, { name: CREDITS_NAME });
      await expect(card.bindVoiceCredits(await other.getAddress()))
        .to.be.revertedWithCustomError(card, "MembershipCardCreditsAlreadyBound")
        .withArgs(await credits.getAddress());
      // Binding the same ledger again is refused too.
      await expect(card.bindVoiceCredits(await credits.getAddress()))
        .to.be.revertedWithCustomError(card, "MembershipCardCreditsAlreadyBound")
        .withArgs(await credits.getAddress());
      expect(await card.voiceCredits()).to.equal(await credits.getAddress());
    });

    it("refuses to bind the zero address and stays unbound", async function () {
      const { card } = await networkHelpers.loadFixture(unboundCardFixture);
      await expect(card.bindVoiceCredits(ZeroAddress))
        .to.be.revertedWithCustomError(card, "MembershipCardInvalidAccount")
        .withArgs(ZeroAddress);
      expect(await card.voiceCredits()).to.equal(ZeroAddress);
    });

    it("refuses binding by an account that is not the owner", async function () {
      const { card, credits, stranger } = await networkHelpers.loadFixture(unboundCardFixture);
      await expect(card.connect(stranger).bindVoiceCredits(await credits.getAddress()))
        .to.be.revertedWithCustomError(card, "OwnableUnauthorizedAccount")
        .withArgs(stranger.address);
      expect(await card.voiceCredits()).to.equal(ZeroAddress);
    });
  });

  describe("admit", function () {
    it("issues card #1 with Transfer from zero, ERC-5192 Locked and MemberAdmitted, and opens a credit account", async function () {
      const { card, credits, alice } = await networkHelpers.loadFixture(ownedCoopFixture);
      expect(await card.admit.staticCall(alice.address)).to.equal(1n);
      const tx = card.admit(alice.address);
      await expect(tx).to.emit(card, "Transfer").withArgs(ZeroAddress, alice.address, 1n);
      await expect(tx).to.emit(card, "Locked").withArgs(1n);
      await expect(tx).to.emit(card, "MemberAdmitted").withArgs(alice.address, 1n);
      await expect(tx).to.emit(credits, "AccountOpened").withArgs(alice.address, 1n, anyValue, CREDITS_PER_EPOCH);
    });

    it("numbers cards consecutively and updates isMember, cardOf, memberSince, memberCount, balanceOf and ownerOf", async function () {
      const { card, alice, bob, carol, stranger } = await networkHelpers.loadFixture(ownedCoopFixture);
      const people = [alice, bob, carol];
      for (let i = 0; i < people.length; i++) {
        const who = people[i];
        expect(await card.isMember(who.address)).to.equal(false);
        expect(await card.balanceOf(who.address)).to.equal(0n);
        const since = await timestampOf(card.admit(who.address));
        const id = BigInt(i + 1);
        expect(await card.isMember(who.address)).to.equal(true);
        expect(await card.cardOf(who.address)).to.equal(id);
        expect(await card.memberSince(who.address)).to.equal(BigInt(since));
        expect(await card.memberCount()).to.equal(id);
        expect(await card.cardsIssued()).to.equal(id);
        expect(await card.balanceOf(who.address)).to.equal(1n);
        expect(await card.ownerOf(id)).to.equal(who.address);
      }
      expect(await card.isMember(stranger.address)).to.equal(false);
      expect(await card.cardOf(stranger.address)).to.equal(0n);
      expect(await card.memberSince(stranger.address)).to.equal(0n);
    });

    it("refuses a second card to a member and changes nothing", async function () {
      const { card, alice, bob } = await networkHelpers.loadFixture(ownedCoopFixture);
      await (await card.admit(alice.address)).wait();
      await (await card.admit(bob.address)).wait();
      const before = await cardState(card, [alice.address, bob.address]);
      await expect(card.admit(alice.address))
        .to.be.revertedWithCustomError(card, "MembershipCardAlreadyMember")
        .withArgs(alice.address);
      expect(await cardState(card, [alice.address, bob.address])).to.deep.equal(before);
    });

    it("refuses a card to the zero address and issues nothing", async function () {
      const { card, alice } = await networkHelpers.loadFixture(ownedCoopFixture);
      await (await card.admit(alice.address)).wait();
      const before = await cardState(card, [alice.address]);
      await expect(card.admit(ZeroAddress))
        .to.be.revertedWithCustomError(card, "MembershipCardInvalidAccount")
        .withArgs(ZeroAddress);
      expect(await cardState(card, [alice.address])).to.deep.equal(before);
    });

    it("refuses admission by an account that is not the owner, a member included", async function () {
      const { card, alice, stranger } = await networkHelpers.loadFixture(ownedCoopFixture);
      await (await card.admit(alice.address)).wait();
      const before = await cardState(card, [alice.address, stranger.address]);
      await expect(card.connect(stranger).admit(stranger.address))
        .to.be.revertedWithCustomError(card, "OwnableUnauthorizedAccount")
        .withArgs(stranger.address);
      await expect(card.connect(alice).admit(stranger.address))
        .to.be.revertedWithCustomError(card, "OwnableUnauthorizedAccount")
        .withArgs(alice.address);
      expect(await cardState(card, [alice.address, stranger.address])).to.deep.equal(before);
    });

    it("refuses admission before the credits ledger is bound", async function () {
      const { card, alice } = await networkHelpers.loadFixture(unboundCardFixture);
      await expect(card.admit(alice.address))
        .to.be.revertedWithCustomError(card, "MembershipCardCreditsNotBound")
        .withArgs();
      expect(await cardState(card, [alice.address])).to.deep.equal({
        memberCount: 0n,
        issued: 0n,
        owners: [],
        members: [
          { account: alice.address, isMember: false, cardOf: 0n, memberSince: 0n, balanceOf: 0n, pastStints: 0n },
        ],
      });
    });

    it("refuses a card once the co-op has MAX_MEMBERS (2^24 - 1) members with MembershipCardFull(max)", async function () {
      const { card, alice, bob, carol } = await networkHelpers.loadFixture(ownedCoopFixture);
      const max = await card.MAX_MEMBERS();
      expect(max).to.equal(2n ** 24n - 1n);
      const since = await timestampOf(card.admit(alice.address));
      // The register word packs _lastCardId (64 bits), _count (32) and _lastChange (48): check the layout first,
      // so that the overwrite below cannot silently hit the wrong slot or field.
      const address = await card.getAddress();
      const slot = await storageSlot("MembershipCard", "_lastCardId");
      expect(await storageSlot("MembershipCard", "_count")).to.equal(slot);
      expect(await storageSlot("MembershipCard", "_lastChange")).to.equal(slot);
      expect(await storageSlot("MembershipCard", "_credits")).to.not.equal(slot);
      const word = BigInt(await networkHelpers.getStorageAt(address, slot));
      expect(word).to.equal((BigInt(since) << 96n) | (1n << 64n) | 1n);
      // Pretend the co-op is one member short of full.
      await networkHelpers.setStorageAt(address, slot, (BigInt(since) << 96n) | ((max - 1n) << 64n) | 1n);
      expect(await card.memberCount()).to.equal(max - 1n);

      await (await card.admit(bob.address)).wait();
      expect(await card.memberCount()).to.equal(max);
      const before = await cardState(card, [alice.address, bob.address, carol.address]);
      await expect(card.admit(carol.address)).to.be.revertedWithCustomError(card, "MembershipCardFull").withArgs(max);
      expect(await cardState(card, [alice.address, bob.address, carol.address])).to.deep.equal(before);
      // Someone leaving makes room again.
      await (await card.connect(alice).resign()).wait();
      await (await card.admit(carol.address)).wait();
      expect(await card.memberCount()).to.equal(max);
    });

    it("reports the zero address as an invalid owner in balanceOf", async function () {
      const { card } = await networkHelpers.loadFixture(ownedCoopFixture);
      await expect(card.balanceOf(ZeroAddress))
        .to.be.revertedWithCustomError(card, "ERC721InvalidOwner")
        .withArgs(ZeroAddress);
    });
  });

  describe("admitMany", function () {
    it("issues consecutive cards to every account of the list, each with the epoch's credits", async function () {
      const { card, credits, alice, bob, carol } = await networkHelpers.loadFixture(ownedCoopFixture);
      const list = [alice.address, bob.address, carol.address];
      expect(await card.admitMany.staticCall(list)).to.equal(1n);
      const tx = card.admitMany(list);
      for (const [i, account] of list.entries()) {
        await expect(tx)
          .to.emit(card, "MemberAdmitted")
          .withArgs(account, BigInt(i + 1));
        await expect(tx)
          .to.emit(card, "Locked")
          .withArgs(BigInt(i + 1));
      }
      expect(await card.memberCount()).to.equal(3n);
      for (const [i, account] of list.entries()) {
        expect(await card.cardOf(account)).to.equal(BigInt(i + 1));
        expect(await credits.balanceOf(account)).to.equal(CREDITS_PER_EPOCH);
      }
    });

    it("refuses the whole list when one account is already a member, and changes nothing", async function () {
      const { card, alice, bob, carol } = await networkHelpers.loadFixture(ownedCoopFixture);
      await (await card.admit(bob.address)).wait();
      const accounts = [alice.address, bob.address, carol.address];
      const before = await cardState(card, accounts);
      await expect(card.admitMany([alice.address, bob.address, carol.address]))
        .to.be.revertedWithCustomError(card, "MembershipCardAlreadyMember")
        .withArgs(bob.address);
      await expect(card.admitMany([carol.address, carol.address]))
        .to.be.revertedWithCustomError(card, "MembershipCardAlreadyMember")
        .withArgs(carol.address);
      expect(await cardState(card, accounts)).to.deep.equal(before);
    });

    it("refuses anyone but the owner with OwnableUnauthorizedAccount(caller)", async function () {
      const { card, alice, stranger } = await networkHelpers.loadFixture(ownedCoopFixture);
      const before = await cardState(card, [alice.address]);
      await expect(card.connect(stranger).admitMany([alice.address]))
        .to.be.revertedWithCustomError(card, "OwnableUnauthorizedAccount")
        .withArgs(stranger.address);
      expect(await cardState(card, [alice.address])).to.deep.equal(before);
    });
  });

  describe("after deployCoop hands every power to the timelock", function () {
    it("admits the founders with cards 1 and 2 and makes the timelock the owner", async function () {
      const { card, timelock, deployer, alice, bob } = await networkHelpers.loadFixture(deployedCoopFixture);
      expect(await card.owner()).to.equal(await timelock.getAddress());
      expect(await card.owner()).to.not.equal(deployer.address);
      expect(await card.cardOf(alice.address)).to.equal(1n);
      expect(await card.cardOf(bob.address)).to.equal(2n);
      expect(await card.memberCount()).to.equal(2n);
    });

    it("refuses admit, expel, reassign and bindVoiceCredits by the former owner", async function () {
      const { card, credits, deployer, alice, bob, carol } = await networkHelpers.loadFixture(deployedCoopFixture);
      const accounts = [alice.address, bob.address, carol.address, deployer.address];
      const before = await cardState(card, accounts);
      await expect(card.connect(deployer).admit(carol.address))
        .to.be.revertedWithCustomError(card, "OwnableUnauthorizedAccount")
        .withArgs(deployer.address);
      await expect(card.connect(deployer).expel(alice.address, "coup"))
        .to.be.revertedWithCustomError(card, "OwnableUnauthorizedAccount")
        .withArgs(deployer.address);
      await expect(card.connect(deployer).reassign(alice.address, carol.address))
        .to.be.revertedWithCustomError(card, "OwnableUnauthorizedAccount")
        .withArgs(deployer.address);
      await expect(card.connect(deployer).bindVoiceCredits(await credits.getAddress()))
        .to.be.revertedWithCustomError(card, "OwnableUnauthorizedAccount")
        .withArgs(deployer.address);
      await expect(card.connect(deployer).transferOwnership(deployer.address))
        .to.be.revertedWithCustomError(card, "OwnableUnauthorizedAccount")
        .withArgs(deployer.address);
      expect(await cardState(card, accounts)).to.deep.equal(before);
    });

    /** The deployed co-op's card, driven by its timelock (impersonated, as a passed proposal would call it). */
    async function asTimelock() {
      const coop = await networkHelpers.loadFixture(deployedCoopFixture);
      const timelockAddress = await coop.timelock.getAddress();
      await networkHelpers.impersonateAccount(timelockAddress);
      await networkHelpers.setBalance(timelockAddress, 10n ** 18n);
      const governance = coop.card.connect(await ethers.getSigner(timelockAddress));
      const own = {
        "the timelock (the card's owner)": timelockAddress,
        "the governor": await coop.governor.getAddress(),
        "the card itself": await coop.card.getAddress(),
        "the credits": await coop.credits.getAddress(),
        "the contribution ledger": await coop.ledger.getAddress(),
        "the patronage distributor": await coop.distributor.getAddress(),
      };
      return { ...coop, governance, own };
    }

    it("refuses each of the co-op's own contracts as a member, in admit, admitMany and reassign, with MembershipCardCoopContract(account), and changes nothing", async function () {
      const { card, governance, own, alice, bob } = await asTimelock();
      const accounts = [alice.address, bob.address, ...Object.values(own)];
      const before = await cardState(card, accounts);
      for (const [kind, account] of Object.entries(own)) {
        await expect(governance.admit(account), `admit ${kind}`)
          .to.be.revertedWithCustomError(card, "MembershipCardCoopContract")
          .withArgs(account);
        await expect(governance.admitMany([account]), `admitMany ${kind}`)
          .to.be.revertedWithCustomError(card, "MembershipCardCoopContract")
          .withArgs(account);
        await expect(governance.reassign(alice.address, account), `reassign to ${kind}`)
          .to.be.revertedWithCustomError(card, "MembershipCardCoopContract")
          .withArgs(account);
      }
      expect(await cardState(card, accounts)).to.deep.equal(before);
    });

    it("still admits an ordinary contract wallet (ERC-1271) and another co-op's timelock, and reassigns a card to a contract wallet", async function () {
      const { card, governance, alice, carol } = await asTimelock();
      const wallet = await ethers.deployContract("ERC1271WalletMock", [carol.address]);
      const newKey = await ethers.deployContract("ERC1271WalletMock", [alice.address]);
      const other = await deployCoop(connection, defaultConfig([carol.address]));
      const otherTimelock = await other.timelock.getAddress();
      expect(await other.card.owner()).to.equal(otherTimelock);

      await expect(governance.admit(await wallet.getAddress()))
        .to.emit(card, "MemberAdmitted")
        .withArgs(await wallet.getAddress(), 3n);
      await expect(governance.admit(otherTimelock)).to.emit(card, "MemberAdmitted").withArgs(otherTimelock, 4n);
      await expect(governance.reassign(alice.address, await newKey.getAddress()))
        .to.emit(card, "MemberReassigned")
        .withArgs(alice.address, await newKey.getAddress(), 1n);
      expect(await card.cardOf(otherTimelock)).to.equal(4n);
      expect(await card.cardOf(await newKey.getAddress())).to.equal(1n);
      expect(await card.memberCount()).to.equal(4n);
    });

    it("still lets a founder resign alone, with no vote", async function () {
      const { card, credits, alice } = await networkHelpers.loadFixture(deployedCoopFixture);
      await expect(card.connect(alice).resign()).to.emit(card, "MemberResigned").withArgs(alice.address, 1n);
      expect(await card.isMember(alice.address)).to.equal(false);
      expect(await card.memberCount()).to.equal(1n);
      expect(await credits.balanceOf(alice.address)).to.equal(0n);
    });
  });

  describe("resign", function () {
    it("lets a member give back their card: MemberResigned, card burned, credits zeroed", async function () {
      const { card, credits, alice, bob } = await networkHelpers.loadFixture(ownedCoopFixture);
      await (await card.admit(alice.address)).wait();
      await (await card.admit(bob.address)).wait();
      await time.increase(WEEK);
      const accrued = await credits.balanceOf(alice.address);
      expect(accrued).to.equal(CREDITS_PER_EPOCH * 2n);

      const tx = card.connect(alice).resign();
      await expect(tx).to.emit(card, "MemberResigned").withArgs(alice.address, 1n);
      await expect(tx).to.emit(card, "Transfer").withArgs(alice.address, ZeroAddress, 1n);
      await expect(tx).to.emit(credits, "AccountClosed").withArgs(alice.address, 1n, accrued);

      expect(await card.isMember(alice.address)).to.equal(false);
      expect(await card.cardOf(alice.address)).to.equal(0n);
      expect(await card.memberSince(alice.address)).to.equal(0n);
      expect(await card.balanceOf(alice.address)).to.equal(0n);
      expect(await card.memberCount()).to.equal(1n);
      expect(await card.pastStintCount(alice.address)).to.equal(1n);
      await expect(card.ownerOf(1n)).to.be.revertedWithCustomError(card, "ERC721NonexistentToken").withArgs(1n);
      expect(await credits.balanceOf(alice.address)).to.equal(0n);
      // Card numbers are never reused, and bob keeps his.
      expect(await card.cardsIssued()).to.equal(2n);
      expect(await card.ownerOf(2n)).to.equal(bob.address);
    });

    it("refuses resignation by a non-member and changes nothing", async function () {
      const { card, owner, alice, stranger } = await networkHelpers.loadFixture(ownedCoopFixture);
      await (await card.admit(alice.address)).wait();
      const before = await cardState(card, [alice.address, stranger.address, owner.address]);
      await expect(card.connect(stranger).resign())
        .to.be.revertedWithCustomError(card, "MembershipCardNotMember")
        .withArgs(stranger.address);
      // The owner cannot resign on a member's behalf either: resign only ever acts on the caller.
      await expect(card.connect(owner).resign())
        .to.be.revertedWithCustomError(card, "MembershipCardNotMember")
        .withArgs(owner.address);
      expect(await cardState(card, [alice.address, stranger.address, owner.address])).to.deep.equal(before);
    });

    it("refuses a second resignation by the same former member", async function () {
      const { card, alice } = await networkHelpers.loadFixture(ownedCoopFixture);
      await (await card.admit(alice.address)).wait();
      await (await card.connect(alice).resign()).wait();
      const before = await cardState(card, [alice.address]);
      await expect(card.connect(alice).resign())
        .to.be.revertedWithCustomError(card, "MembershipCardNotMember")
        .withArgs(alice.address);
      expect(await cardState(card, [alice.address])).to.deep.equal(before);
    });

    it("lets a former member be re-admitted with a new card number", async function () {
      const { card, alice, bob } = await networkHelpers.loadFixture(ownedCoopFixture);
      await (await card.admit(alice.address)).wait();
      await (await card.admit(bob.address)).wait();
      await (await card.connect(alice).resign()).wait();
      const since = await timestampOf(card.admit(alice.address));
      expect(await card.cardOf(alice.address)).to.equal(3n);
      expect(await card.ownerOf(3n)).to.equal(alice.address);
      expect(await card.memberSince(alice.address)).to.equal(BigInt(since));
      await expect(card.ownerOf(1n)).to.be.revertedWithCustomError(card, "ERC721NonexistentToken").withArgs(1n);
      expect(await card.memberCount()).to.equal(2n);
    });
  });

  describe("expel", function () {
    it("takes a member's card away with the reason in MemberExpelled and zeroes their credits", async function () {
      const { card, credits, alice, bob } = await networkHelpers.loadFixture(ownedCoopFixture);
      await (await card.admit(alice.address)).wait();
      await (await card.admit(bob.address)).wait();
      const reason = "Repeatedly took the sourdough starter home";
      const tx = card.expel(bob.address, reason);
      await expect(tx).to.emit(card, "MemberExpelled").withArgs(bob.address, 2n, reason);
      await expect(tx).to.emit(card, "Transfer").withArgs(bob.address, ZeroAddress, 2n);
      await expect(tx).to.emit(credits, "AccountClosed").withArgs(bob.address, 0n, CREDITS_PER_EPOCH);
      await expect(tx).to.not.emit(card, "MemberResigned");
      expect(await card.isMember(bob.address)).to.equal(false);
      expect(await card.memberCount()).to.equal(1n);
      expect(await card.pastStintCount(bob.address)).to.equal(1n);
      await expect(card.ownerOf(2n)).to.be.revertedWithCustomError(card, "ERC721NonexistentToken").withArgs(2n);
      expect(await credits.balanceOf(bob.address)).to.equal(0n);
      expect(await card.isMember(alice.address)).to.equal(true);
    });

    it("keeps an empty reason too", async function () {
      const { card, alice } = await networkHelpers.loadFixture(ownedCoopFixture);
      await (await card.admit(alice.address)).wait();
      await expect(card.expel(alice.address, "")).to.emit(card, "MemberExpelled").withArgs(alice.address, 1n, "");
    });

    it("refuses to expel a non-member and changes nothing", async function () {
      const { card, alice, stranger } = await networkHelpers.loadFixture(ownedCoopFixture);
      await (await card.admit(alice.address)).wait();
      const before = await cardState(card, [alice.address, stranger.address]);
      await expect(card.expel(stranger.address, "never joined"))
        .to.be.revertedWithCustomError(card, "MembershipCardNotMember")
        .withArgs(stranger.address);
      expect(await cardState(card, [alice.address, stranger.address])).to.deep.equal(before);
    });

    it("refuses expulsion by an account that is not the owner, even a member", async function () {
      const { card, alice, bob } = await networkHelpers.loadFixture(ownedCoopFixture);
      await (await card.admit(alice.address)).wait();
      await (await card.admit(bob.address)).wait();
      const before = await cardState(card, [alice.address, bob.address]);
      await expect(card.connect(alice).expel(bob.address, "rivalry"))
        .to.be.revertedWithCustomError(card, "OwnableUnauthorizedAccount")
        .withArgs(alice.address);
      expect(await cardState(card, [alice.address, bob.address])).to.deep.equal(before);
    });
  });

  describe("reassign", function () {
    it("moves a card to a new address keeping its token id, and moves the credits", async function () {
      const { card, credits, gov, alice, bob, carol } = await networkHelpers.loadFixture(ownedCoopFixture);
      await (await card.admit(alice.address)).wait();
      await (await card.admit(bob.address)).wait();
      await time.increase(WEEK);
      // Make bob's balance distinctive: 200 accrued, 37 held as a deposit.
      await (await credits.connect(gov).holdDeposit(bob.address, 37n)).wait();
      const balance = await credits.balanceOf(bob.address);
      expect(balance).to.equal(2n * CREDITS_PER_EPOCH - 37n);

      const tx = card.reassign(bob.address, carol.address);
      await expect(tx).to.emit(card, "Transfer").withArgs(bob.address, carol.address, 2n);
      await expect(tx).to.emit(card, "MemberReassigned").withArgs(bob.address, carol.address, 2n);
      await expect(tx).to.emit(credits, "AccountMoved").withArgs(bob.address, carol.address, 1n, balance);
      await expect(tx).to.not.emit(card, "Locked");
      const since = await timestampOf(tx);

      expect(await card.ownerOf(2n)).to.equal(carol.address);
      expect(await card.cardOf(carol.address)).to.equal(2n);
      expect(await card.memberSince(carol.address)).to.equal(BigInt(since));
      expect(await card.isMember(carol.address)).to.equal(true);
      expect(await card.balanceOf(carol.address)).to.equal(1n);
      expect(await card.isMember(bob.address)).to.equal(false);
      expect(await card.cardOf(bob.address)).to.equal(0n);
      expect(await card.balanceOf(bob.address)).to.equal(0n);
      expect(await card.pastStintCount(bob.address)).to.equal(1n);
      expect(await card.memberCount()).to.equal(2n);
      expect(await card.cardsIssued()).to.equal(2n);
      expect(await credits.balanceOf(carol.address)).to.equal(balance);
      expect(await credits.balanceOf(bob.address)).to.equal(0n);
    });

    it("refuses to reassign to an address that already holds a card and changes nothing", async function () {
      const { card, credits, alice, bob } = await networkHelpers.loadFixture(ownedCoopFixture);
      await (await card.admit(alice.address)).wait();
      await (await card.admit(bob.address)).wait();
      const before = await cardState(card, [alice.address, bob.address]);
      const creditsBefore = [await credits.balanceOf(alice.address), await credits.balanceOf(bob.address)];
      await expect(card.reassign(alice.address, bob.address))
        .to.be.revertedWithCustomError(card, "MembershipCardAlreadyMember")
        .withArgs(bob.address);
      await expect(card.reassign(alice.address, alice.address))
        .to.be.revertedWithCustomError(card, "MembershipCardAlreadyMember")
        .withArgs(alice.address);
      expect(await cardState(card, [alice.address, bob.address])).to.deep.equal(before);
      expect([await credits.balanceOf(alice.address), await credits.balanceOf(bob.address)]).to.deep.equal(
        creditsBefore,
      );
    });

    it("refuses to reassign from an address that holds no card and changes nothing", async function () {
      const { card, alice, carol, stranger } = await networkHelpers.loadFixture(ownedCoopFixture);
      await (await card.admit(alice.address)).wait();
      const before = await cardState(card, [alice.address, carol.address, stranger.address]);
      await expect(card.reassign(stranger.address, carol.address))
        .to.be.revertedWithCustomError(card, "MembershipCardNotMember")
        .withArgs(stranger.address);
      expect(await cardState(card, [alice.address, carol.address, stranger.address])).to.deep.equal(before);
    });

    it("refuses to reassign to the zero address and changes nothing", async function () {
      const { card, credits, alice } = await networkHelpers.loadFixture(ownedCoopFixture);
      await (await card.admit(alice.address)).wait();
      const before = await cardState(card, [alice.address]);
      await expect(card.reassign(alice.address, ZeroAddress))
        .to.be.revertedWithCustomError(card, "MembershipCardInvalidAccount")
        .withArgs(ZeroAddress);
      expect(await cardState(card, [alice.address])).to.deep.equal(before);
      expect(await credits.balanceOf(alice.address)).to.equal(CREDITS_PER_EPOCH);
    });

    it("refuses reassignment by an account that is not the owner, even the card holder", async function () {
      const { card, alice, carol } = await networkHelpers.loadFixture(ownedCoopFixture);
      await (await card.admit(alice.address)).wait();
      const before = await cardState(card, [alice.address, carol.address]);
      await expect(card.connect(alice).reassign(alice.address, carol.address))
        .to.be.revertedWithCustomError(card, "OwnableUnauthorizedAccount")
        .withArgs(alice.address);
      expect(await cardState(card, [alice.address, carol.address])).to.deep.equal(before);
    });
  });

  describe("soulbound: every transfer and approval path", function () {
    async function twoMembers() {
      const f = await ownedCoopFixture();
      await (await f.card.admit(f.alice.address)).wait();
      await (await f.card.admit(f.bob.address)).wait();
      return f;
    }

    it("refuses transferFrom by the holder and by the owner with MembershipCardSoulbound(tokenId)", async function () {
      const { card, owner, alice, bob, carol } = await networkHelpers.loadFixture(twoMembers);
      const accounts = [alice.address, bob.address, carol.address];
      const before = await cardState(card, accounts);
      await expect(card.connect(alice).transferFrom(alice.address, carol.address, 1n))
        .to.be.revertedWithCustomError(card, "MembershipCardSoulbound")
        .withArgs(1n);
      await expect(card.connect(owner).transferFrom(alice.address, carol.address, 1n))
        .to.be.revertedWithCustomError(card, "MembershipCardSoulbound")
        .withArgs(1n);
      await expect(card.connect(bob).transferFrom(bob.address, alice.address, 2n))
        .to.be.revertedWithCustomError(card, "MembershipCardSoulbound")
        .withArgs(2n);
      expect(await cardState(card, accounts)).to.deep.equal(before);
    });

    it("refuses safeTransferFrom(address,address,uint256) with MembershipCardSoulbound(tokenId)", async function () {
      const { card, alice, carol } = await networkHelpers.loadFixture(twoMembers);
      const before = await cardState(card, [alice.address, carol.address]);
      await expect(card.connect(alice)["safeTransferFrom(address,address,uint256)"](alice.address, carol.address, 1n))
        .to.be.revertedWithCustomError(card, "MembershipCardSoulbound")
        .withArgs(1n);
      expect(await cardState(card, [alice.address, carol.address])).to.deep.equal(before);
    });

    it("refuses safeTransferFrom(address,address,uint256,bytes) with MembershipCardSoulbound(tokenId)", async function () {
      const { card, alice, carol } = await networkHelpers.loadFixture(twoMembers);
      const before = await cardState(card, [alice.address, carol.address]);
      await expect(
        card
          .connect(alice)
          ["safeTransferFrom(address,address,uint256,bytes)"](alice.address, carol.address, 1n, "0xc0ffee"),
      )
        .to.be.revertedWithCustomError(card, "MembershipCardSoulbound")
        .withArgs(1n);
      expect(await cardState(card, [alice.address, carol.address])).to.deep.equal(before);
    });

    it("refuses approve and setApprovalForAll with MembershipCardApprovalDisabled()", async function () {
      const { card, alice, bob, carol } = await networkHelpers.loadFixture(twoMembers);
      const before = await cardState(card, [alice.address, bob.address, carol.address]);
      await expect(card.connect(alice).approve(carol.address, 1n))
        .to.be.revertedWithCustomError(card, "MembershipCardApprovalDisabled")
        .withArgs();
      await expect(card.connect(alice).setApprovalForAll(carol.address, true))
        .to.be.revertedWithCustomError(card, "MembershipCardApprovalDisabled")
        .withArgs();
      await expect(card.connect(alice).setApprovalForAll(carol.address, false))
        .to.be.revertedWithCustomError(card, "MembershipCardApprovalDisabled")
        .withArgs();
      expect(await card.getApproved(1n)).to.equal(ZeroAddress);
      expect(await card.isApprovedForAll(alice.address, carol.address)).to.equal(false);
      expect(await cardState(card, [alice.address, bob.address, carol.address])).to.deep.equal(before);
    });

    it("reports no approvals: getApproved is zero, isApprovedForAll is false, getApproved of an unknown card reverts", async function () {
      const { card, alice, bob } = await networkHelpers.loadFixture(twoMembers);
      expect(await card.getApproved(1n)).to.equal(ZeroAddress);
      expect(await card.getApproved(2n)).to.equal(ZeroAddress);
      expect(await card.isApprovedForAll(alice.address, bob.address)).to.equal(false);
      expect(await card.isApprovedForAll(alice.address, alice.address)).to.equal(false);
      await expect(card.getApproved(3n)).to.be.revertedWithCustomError(card, "ERC721NonexistentToken").withArgs(3n);
    });

    it("is locked (ERC-5192) for every issued card; locked of an unknown or burned card reverts", async function () {
      const { card, alice } = await networkHelpers.loadFixture(twoMembers);
      expect(await card.locked(1n)).to.equal(true);
      expect(await card.locked(2n)).to.equal(true);
      await expect(card.locked(3n)).to.be.revertedWithCustomError(card, "ERC721NonexistentToken").withArgs(3n);
      await expect(card.locked(0n)).to.be.revertedWithCustomError(card, "ERC721NonexistentToken").withArgs(0n);
      await (await card.connect(alice).resign()).wait();
      await expect(card.locked(1n)).to.be.revertedWithCustomError(card, "ERC721NonexistentToken").withArgs(1n);
    });
  });

  describe("supportsInterface", function () {
    it("computes the advertised interface ids from the card's own ABI", async function () {
      const { card } = await networkHelpers.loadFixture(ownedCoopFixture);
      expect(interfaceId(card, ["supportsInterface(bytes4)"])).to.equal("0x01ffc9a7");
      expect(
        interfaceId(card, [
          "balanceOf(address)",
          "ownerOf(uint256)",
          "safeTransferFrom(address,address,uint256,bytes)",
          "safeTransferFrom(address,address,uint256)",
          "transferFrom(address,address,uint256)",
          "approve(address,uint256)",
          "setApprovalForAll(address,bool)",
          "getApproved(uint256)",
          "isApprovedForAll(address,address)",
        ]),
      ).to.equal("0x80ac58cd");
      expect(interfaceId(card, ["name()", "symbol()", "tokenURI(uint256)"])).to.equal("0x5b5e139f");
      expect(interfaceId(card, ["locked(uint256)"])).to.equal("0xb45a3c0e");
    });

    for (const [label, id] of [
      ["ERC-165", "0x01ffc9a7"],
      ["ERC-721", "0x80ac58cd"],
      ["ERC-721 Metadata", "0x5b5e139f"],
      ["ERC-5192", "0xb45a3c0e"],
    ] as const) {
      it(`supports ${label} (${id})`, async function () {
        const { card } = await networkHelpers.loadFixture(ownedCoopFixture);
        expect(await card.supportsInterface(id)).to.equal(true);
      });
    }

    it("does not support 0xffffffff, ERC-721 Enumerable (0x780e9d63) or ERC-721 Receiver (0x150b7a02)", async function () {
      const { card } = await networkHelpers.loadFixture(ownedCoopFixture);
      expect(await card.supportsInterface("0xffffffff")).to.equal(false);
      expect(await card.supportsInterface("0x780e9d63")).to.equal(false);
      expect(await card.supportsInterface("0x150b7a02")).to.equal(false);
      expect(await card.supportsInterface("0x00000000")).to.equal(false);
    });
  });

  describe("checkpoints on the timestamp clock", function () {
    it("answers wasMemberAt and memberCountAt across admit, resign, re-admit, expel and reassign (since <= t < until)", async function () {
      const { card, alice, bob, carol, dave } = await networkHelpers.loadFixture(ownedCoopFixture);
      const t0 = (await time.latest()) + 1000;
      const t = [0, 10, 20, 30, 40, 50, 57].map((d) => t0 + d);
      await sendAt(t[0], () => card.admit(alice.address));
      await sendAt(t[1], () => card.admit(bob.address));
      await sendAt(t[2], () => card.connect(alice).resign());
      await sendAt(t[3], () => card.admit(alice.address));
      await sendAt(t[4], () => card.expel(bob.address, "left the ovens on"));
      await sendAt(t[5], () => card.reassign(alice.address, carol.address));
      await sendAt(t[6], () => card.admit(bob.address));
      await time.increaseTo(t0 + 100);

      // Reference model: half-open stints [since, until).
      const stints: Record<string, [number, number][]> = {
        [alice.address]: [
          [t[0], t[2]],
          [t[3], t[5]],
        ],
        [bob.address]: [
          [t[1], t[4]],
          [t[6], Infinity],
        ],
        [carol.address]: [[t[5], Infinity]],
        [dave.address]: [],
      };
      const memberAt = (who: string, at: number) => stints[who].some(([s, u]) => s <= at && at < u);
      const countAt = (at: number) => Object.keys(stints).filter((who) => memberAt(who, at)).length;

      const points = new Set<number>([t0 - 500, t0 + 99]);
      for (const ti of t) for (const d of [-1, 0, 1]) points.add(ti + d);
      for (const p of [...points].sort((a, b) => a - b)) {
        for (const who of Object.keys(stints)) {
          expect(await card.wasMemberAt(who, p), `wasMemberAt(${who}, t0+${p - t0})`).to.equal(memberAt(who, p));
        }
        expect(await card.memberCountAt(p), `memberCountAt(t0+${p - t0})`).to.equal(BigInt(countAt(p)));
      }

      // Sanity of the model against a few hand-checked facts, so the loop above cannot pass vacuously.
      expect(await card.wasMemberAt(alice.address, t[2] - 1)).to.equal(true);
      expect(await card.wasMemberAt(alice.address, t[2])).to.equal(false); // a stint ends exclusively
      expect(await card.wasMemberAt(alice.address, t[3])).to.equal(true); // and begins inclusively
      expect(await card.wasMemberAt(carol.address, t[5] - 1)).to.equal(false);
      expect(await card.memberCountAt(t[1])).to.equal(2n);
      expect(await card.memberCountAt(t[4])).to.equal(1n);
      expect(await card.memberCountAt(t[6])).to.equal(2n);
      expect(await card.memberCountAt(0)).to.equal(0n);
      expect(await card.wasMemberAt(alice.address, 0)).to.equal(false);
      expect(await card.pastStintCount(alice.address)).to.equal(2n);
      expect(await card.pastStintCount(bob.address)).to.equal(1n);
      expect(await card.pastStintCount(carol.address)).to.equal(0n);
      expect(await card.memberCount()).to.equal(2n);
    });

    it("finds the right stint among many past stints of one account", async function () {
      const { card, alice, bob } = await networkHelpers.loadFixture(ownedCoopFixture);
      const t0 = (await time.latest()) + 100;
      await sendAt(t0, () => card.admit(bob.address));
      const stints: [number, number][] = [];
      let at = t0 + 10;
      for (let k = 0; k < 7; k++) {
        const since = at;
        const until = at + 5 + k * 3; // stints of different lengths
        await sendAt(since, () => card.admit(alice.address));
        await sendAt(until, () => card.connect(alice).resign());
        stints.push([since, until]);
        at = until + 4 + k;
      }
      await time.increaseTo(at + 10);
      expect(await card.pastStintCount(alice.address)).to.equal(BigInt(stints.length));

      let checked = 0;
      for (let p = t0 - 2; p <= at + 5; p++) {
        const expected = stints.some(([s, u]) => s <= p && p < u);
        expect(await card.wasMemberAt(alice.address, p), `wasMemberAt(alice, t0+${p - t0})`).to.equal(expected);
        expect(await card.memberCountAt(p), `memberCountAt(t0+${p - t0})`).to.equal(
          BigInt((p >= t0 ? 1 : 0) + (expected ? 1 : 0)),
        );
        checked++;
      }
      expect(checked).to.be.greaterThan(100);
    });

    it("never counts a stint that began and ended in the same block", async function () {
      const { card, alice, bob } = await networkHelpers.loadFixture(ownedCoopFixture);
      await (await card.admit(bob.address)).wait();
      const t1 = (await time.latest()) + 50;
      await ethers.provider.send("evm_setAutomine", [false]);
      try {
        await time.setNextBlockTimestamp(t1);
        const admitTx = await card.admit(alice.address, { gasLimit: 1_000_000 });
        const resignTx = await card.connect(alice).resign({ gasLimit: 1_000_000 });
        await networkHelpers.mine();
        const [r1, r2] = [await admitTx.wait(), await resignTx.wait()];
        expect(r1?.status).to.equal(1);
        expect(r2?.status).to.equal(1);
        expect(r1?.blockNumber).to.equal(r2?.blockNumber);
      } finally {
        await ethers.provider.send("evm_setAutomine", [true]);
      }
      await time.increase(10);
      expect(await card.pastStintCount(alice.address)).to.equal(1n);
      expect(await card.wasMemberAt(alice.address, t1)).to.equal(false);
      expect(await card.wasMemberAt(alice.address, t1 - 1)).to.equal(false);
      expect(await card.memberCountAt(t1)).to.equal(1n);
      expect(await card.memberCountAt(t1 - 1)).to.equal(1n);
      expect(await card.memberCount()).to.equal(1n);
      expect(await card.cardsIssued()).to.equal(2n);
    });

    it("refuses lookups at the current time or in the future with MembershipCardFutureLookup(timepoint, clock)", async function () {
      const { card, alice } = await networkHelpers.loadFixture(ownedCoopFixture);
      const since = await timestampOf(card.admit(alice.address));
      // The call runs at the latest block: the admission's own timestamp is "now" and cannot be looked up yet.
      const now = BigInt(await time.latest());
      expect(now).to.equal(BigInt(since));
      expect(await card.clock()).to.equal(now);
      await expect(card.wasMemberAt(alice.address, now))
        .to.be.revertedWithCustomError(card, "MembershipCardFutureLookup")
        .withArgs(now, now);
      await expect(card.memberCountAt(now))
        .to.be.revertedWithCustomError(card, "MembershipCardFutureLookup")
        .withArgs(now, now);
      await expect(card.wasMemberAt(alice.address, now + 1n))
        .to.be.revertedWithCustomError(card, "MembershipCardFutureLookup")
        .withArgs(now + 1n, now);
      const far = 2n ** 200n;
      await expect(card.memberCountAt(far))
        .to.be.revertedWithCustomError(card, "MembershipCardFutureLookup")
        .withArgs(far, now);
      await expect(card.wasMemberAt(alice.address, far))
        .to.be.revertedWithCustomError(card, "MembershipCardFutureLookup")
        .withArgs(far, now);

      // One block later, the admission is in the past and visible at its own timestamp.
      await networkHelpers.mine();
      const later = BigInt(await time.latest());
      expect(later).to.be.greaterThan(now);
      expect(await card.wasMemberAt(alice.address, now)).to.equal(true);
      expect(await card.memberCountAt(now)).to.equal(1n);
      expect(await card.wasMemberAt(alice.address, now - 1n)).to.equal(false);
      await expect(card.memberCountAt(later))
        .to.be.revertedWithCustomError(card, "MembershipCardFutureLookup")
        .withArgs(later, later);
    });
  });

  describe("tokenURI", function () {
    it("renders on-chain JSON with an SVG showing the co-op name, card number and holder", async function () {
      const { card, alice, bob } = await networkHelpers.loadFixture(ownedCoopFixture);
      await (await card.admit(alice.address)).wait();
      await time.increase(3 * DAY);
      const since = await timestampOf(card.admit(bob.address));

      const { meta, svg } = decodeTokenURI(await card.tokenURI(2n));
      expect(meta.name).to.equal(`${COOP_NAME} member #2`);
      expect(meta.description).to.contain(COOP_NAME);
      expect(meta.attributes).to.deep.equal([
        { trait_type: "Member number", value: 2 },
        { display_type: "date", trait_type: "Member since", value: since },
      ]);
      expect(svg.startsWith("<svg")).to.equal(true);
      expect(svg.endsWith("</svg>")).to.equal(true);
      expect(svg).to.contain(`>${COOP_NAME}</text>`);
      expect(svg).to.contain(">#2</text>");
      expect(svg).to.contain(getAddress(bob.address));
      expect(svg).to.not.contain(getAddress(alice.address));
      expect(svg).to.contain(String(since));

      const first = decodeTokenURI(await card.tokenURI(1n));
      expect(first.meta.name).to.equal(`${COOP_NAME} member #1`);
      expect(first.svg).to.contain(getAddress(alice.address));
      expect(first.svg).to.contain(">#1</text>");
    });

    it("shows the new holder and the same card number after a reassignment", async function () {
      const { card, alice, carol } = await networkHelpers.loadFixture(ownedCoopFixture);
      await (await card.admit(alice.address)).wait();
      await time.increase(DAY);
      const since = await timestampOf(card.reassign(alice.address, carol.address));
      const { meta, svg } = decodeTokenURI(await card.tokenURI(1n));
      expect(meta.name).to.equal(`${COOP_NAME} member #1`);
      expect(svg).to.contain(getAddress(carol.address));
      expect(svg).to.not.contain(getAddress(alice.address));
      expect(meta.attributes[1].value).to.equal(since);
    });

    it("gives back a name with \" \\ & < > and a newline as written: JSON.parse of the metadata and the SVG's text node", async function () {
      const { card, alice } = await networkHelpers.loadFixture(nastyNameFixture);
      expect(await card.name()).to.equal(NASTY_NAME);
      const { meta, svg } = decodeTokenURI(await card.tokenURI(1n));

      // The JSON parses, and its strings hold the name exactly as the deployer wrote it.
      expect(meta.name).to.equal(`${NASTY_NAME} member #1`);
      expect(meta.description).to.equal(
        `Membership card of ${NASTY_NAME}. Soulbound: it cannot be sold or transferred; one member, one card, one equal voice.`,
      );
      // The SVG is well-formed XML with the card's own five text elements and nothing the name tried to inject.
      const { root, texts, scripts } = parseSvg(svg);
      expect(root.nodeName).to.equal("svg");
      expect(scripts).to.equal(0);
      expect(texts.map((t) => t.getAttribute("y"))).to.deep.equal(["44", "66", "124", "168", "188"]);
      expect(texts[0].textContent).to.equal(NASTY_NAME);
      expect(texts[1].textContent).to.equal("MEMBERSHIP CARD");
      expect(texts[2].textContent).to.equal("#1");
      expect(texts[3].textContent).to.equal(getAddress(alice.address));
      // XML's own entities, no HTML character references.
      expect(svg).to.contain(
        ">Bread &amp; Roses &quot;&lt;Café ☕ Co-op&gt;&quot; \\ back\nslash\t&lt;/text&gt;&lt;script&gt;x&lt;/script&gt;</text>",
      );
      expect(svg).to.not.match(/&#\d+;/);
    });

    it("keeps a carriage return and every control character in the JSON, and turns those XML forbids into spaces in the SVG", async function () {
      const name = "A\rB\x01C\x1fD\x7fE";
      const { card } = await namedCard(name);
      const { meta, svg } = decodeTokenURI(await card.tokenURI(1n));
      expect(meta.name).to.equal(`${name} member #1`);
      // A carriage return is written as &#13; (a raw one would be read as a line feed); 0x01 and 0x1f are not XML.
      expect(parseSvg(svg).texts[0].textContent).to.equal("A\rB C D\x7fE");
    });

    it("writes an everyday name like 'Bread & Roses' as is in the JSON and with XML entities in the SVG", async function () {
      const { card } = await networkHelpers.loadFixture(ampersandNameFixture);
      const { meta, svg } = decodeTokenURI(await card.tokenURI(1n));
      expect(meta.name).to.equal(`${AMPERSAND_NAME} member #1`);
      expect(meta.description).to.contain(`Membership card of ${AMPERSAND_NAME}.`);
      expect(svg).to.contain(">Bread &amp; Roses Bakers&apos; Co-op (North)</text>");
      expect(parseSvg(svg).texts[0].textContent).to.equal(AMPERSAND_NAME);
      // Nothing in the name needs a JSON escape: the metadata holds it byte for byte.
      const json = Buffer.from((await card.tokenURI(1n)).slice("data:application/json;base64,".length), "base64");
      expect(json.toString("utf8")).to.contain(`"name":"${AMPERSAND_NAME} member #1"`);
    });

    it("reverts for an unknown or burned card with ERC721NonexistentToken", async function () {
      const { card, alice } = await networkHelpers.loadFixture(ownedCoopFixture);
      await expect(card.tokenURI(1n)).to.be.revertedWithCustomError(card, "ERC721NonexistentToken").withArgs(1n);
      await (await card.admit(alice.address)).wait();
      expect(await card.tokenURI(1n)).to.match(/^data:application\/json;base64,/);
      await (await card.connect(alice).resign()).wait();
      await expect(card.tokenURI(1n)).to.be.revertedWithCustomError(card, "ERC721NonexistentToken").withArgs(1n);
      await expect(card.ownerOf(1n)).to.be.revertedWithCustomError(card, "ERC721NonexistentToken").withArgs(1n);
    });
  });
});
