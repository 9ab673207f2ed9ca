/**
 * The co-op's history kept up to date block by block: the first refresh replays every event from the deployment
 * block (the auditor's replay, `lib/replay`, fed by the shared log reader, `lib/chain/logs.ts`); each later one reads only the logs of
 * the blocks mined since and applies them to the same model, so following a long public history costs one small
 * `eth_getLogs` per new block, not the whole history again.
 *
 * A chain that changed under it is noticed at the next refresh: the block it last read must still have the hash it
 * had (block hashes chain, so any change at or below it changes that one), and the head must not be below it. When
 * either fails — a reorganisation, or a local chain restarted or reverted — the history is replayed again from the
 * deployment block.
 *
 * @example
 * const live = new LiveHistory(deployment, new JsonRpc("http://127.0.0.1:8545"), COOP_ABIS);
 * const { view, events } = await live.refresh(); // every event so far
 * // … a block is mined …
 * await live.refresh(); // only that block's logs are read
 */
import type { Deployment } from "#lib/deployment.ts";
import {
  contractAddress,
  deployedContracts,
  LogOrderGuard,
  Replay,
  coopView,
  createLogDecoder,
  type CoopView,
  type ReplayEvent,
} from "#lib/replay/index.ts";
import type { JsonRpc } from "#lib/chain/rpc.ts";
import { fetchLogChunks } from "#lib/chain/logs.ts";
import {
  contributionLedgerAbi,
  membershipCardAbi,
  mutualGovernorAbi,
  patronageDistributorAbi,
  timelockControllerAbi,
  voiceCreditsAbi,
} from "#lib/abi/contracts.ts";

export interface CoopHistory {
  view: CoopView;
  /** Every event from the deployment block to `view`'s block, in chain order. */
  events: ReplayEvent[];
}

/** The contracts' ABIs, as `createLogDecoder` takes them. */
export type CoopAbis = Parameters<typeof createLogDecoder>[1];

/** The ABIs of every contract whose events the replay reads (generated from the artifacts). */
export const COOP_ABIS = {
  MembershipCard: membershipCardAbi,
  VoiceCredits: voiceCreditsAbi,
  MutualGovernor: mutualGovernorAbi,
  TimelockController: timelockControllerAbi,
  ContributionLedger: contributionLedgerAbi,
  PatronageDistributor: patronageDistributorAbi,
} as unknown as CoopAbis;

interface Head {
  number: number;
  hash: string;
  timestamp: number;
}

interface RawBlock {
  number: string;
  hash: string;
  timestamp: string;
}

export class LiveHistory {
  private readonly deployment: Deployment;
  private readonly rpc: JsonRpc;
  private readonly decode: ReturnType<typeof createLogDecoder>;
  private replay!: Replay;
  private events: ReplayEvent[] = [];
  /** The last block read, and its hash; null before the first read. */
  private read: Head | null = null;
  /** Refreshes run one at a time: a second caller waits for the first, then reads what came after. */
  private queue: Promise<unknown> = Promise.resolve();
  /** How many times the history was replayed from the deployment block (the first time included). */
  replays = 0;

  constructor(deployment: Deployment, rpc: JsonRpc, abis: CoopAbis) {
    this.deployment = deployment;
    this.rpc = rpc;
    this.decode = createLogDecoder(deployment, abis);
  }

  /** Brings the history up to the head block and returns it. */
  refresh(): Promise<CoopHistory> {
    const next = this.queue.then(() => this.update());
    this.queue = next.catch(() => {});
    return next;
  }

  private async update(): Promise<CoopHistory> {
    const head = toHead(await this.rpc.send<RawBlock>("eth_getBlockByNumber", ["latest", false]));
    if (head.number < this.deployment.deployBlock) {
      throw new Error(
        `the chain's head block ${head.number} is below the co-op's deployment block ${this.deployment.deployBlock}: is this the co-op's chain?`,
      );
    }
    if (this.read === null || !(await this.stillCanonical(this.read, head))) this.restart();
    const from = this.read === null ? this.deployment.deployBlock : this.read.number + 1;
    if (head.number >= from) {
      const guard = new LogOrderGuard(from, head.number);
      const addresses = deployedContracts(this.deployment).map((c) => contractAddress(this.deployment, c));
      try {
        for await (const chunk of fetchLogChunks(this.rpc, addresses, from, head.number)) {
          guard.range(chunk.fromBlock, chunk.toBlock);
          for (const log of chunk.logs) {
            guard.log({ blockNumber: Number(log.blockNumber), logIndex: Number(log.logIndex), removed: log.removed });
            const event = this.decode(log, log.timestamp);
            this.replay.apply(event);
            this.events.push(event);
          }
        }
        guard.finish();
      } catch (error) {
        // Part of the range may have been applied: start again from the deployment block next time.
        this.read = null;
        throw error;
      }
      // Changes come in pairs within one transaction (a late quorum and its extension), never across blocks:
      // between blocks the history can be closed and carried on.
      this.replay.close();
    }
    this.read = head;
    return { view: coopView(this.replay, head.number, head.timestamp), events: this.events.slice() };
  }

  /** Whether the chain still holds the block last read (same hash) and has not gone back below it. */
  private async stillCanonical(read: Head, head: Head): Promise<boolean> {
    if (head.number < read.number) return false;
    if (head.number === read.number) return head.hash === read.hash;
    const block = await this.rpc.send<RawBlock | null>("eth_getBlockByNumber", [
      `0x${read.number.toString(16)}`,
      false,
    ]);
    return block !== null && block.hash === read.hash;
  }

  private restart(): void {
    this.replay = new Replay(this.deployment.contracts);
    this.events = [];
    this.read = null;
    this.replays++;
  }
}

function toHead(block: RawBlock): Head {
  return { number: Number(block.number), hash: block.hash, timestamp: Number(block.timestamp) };
}
