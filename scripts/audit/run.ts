/**
 * The audit, end to end: connect, read every log of the deployment in adaptive ranges, replay them through
 * the shared model (lib/replay), then check every rebuilt figure against the chain at the head block and at
 * earlier blocks, and write the report folder.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";

import { getAddress, type InterfaceAbi } from "ethers";

import type { Deployment } from "../../lib/deployment.ts";
import {
  COOP_CONTRACTS,
  contractAddress,
  createLogDecoder,
  deployedContracts,
  type CoopAbis,
} from "../../lib/replay/events.ts";
import { Replay, type Finding } from "../../lib/replay/model.ts";
import { LogOrderGuard } from "../../lib/replay/stream.ts";
import { coopView, type CoopView } from "../../lib/replay/view.ts";
import {
  ChainReader,
  Checker,
  isMissingHistoricalState,
  queueHeadChecks,
  queueHistoricalChecks,
  queuePatronageHeadChecks,
  takeSnapshot,
  type HistoricalSnapshot,
  type Mismatch,
} from "./checks.ts";
import { fetchLogChunks, progressLine, type LogChunk } from "../../lib/chain/logs.ts";
import { StreamingCsvSink, prepareReportDir, removeReportFiles, writeReport } from "./report.ts";
import { JsonRpc, RpcError, RpcUnreachableError, type RpcOptions } from "../../lib/chain/rpc.ts";

/** Input the audit cannot work with (bad RPC, a deployment of another chain, no contracts there…). */
export class AuditInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AuditInputError";
  }
}

/** Where the logs come from: the node by default; tests substitute a tampered history. */
export type LogSource = (
  rpc: JsonRpc,
  addresses: readonly string[],
  fromBlock: number,
  toBlock: number,
) => AsyncIterable<LogChunk>;

export interface AuditOptions {
  rpcUrl: string;
  deployment: Deployment;
  abis: CoopAbis;
  /** The report folder; null writes none. */
  outDir: string | null;
  /** The last block to read (the head by default). */
  toBlock?: number;
  /** Called with a progress line while logs are read. */
  onProgress?: (line: string) => void;
  logSource?: LogSource;
  /** How many earlier blocks to check besides the head (spread evenly over the history). */
  historicalBlocks?: number;
  rpcOptions?: RpcOptions;
}

export interface TreasuryAccount {
  /** Balance just before the deployment block (null when the node keeps no historical state). */
  opening: bigint | null;
  closing: bigint;
  /** Received by plain transfers (no event): closing − opening + paid out. */
  received: bigint | null;
}

export interface AuditResult {
  ok: boolean;
  chainId: number;
  deployment: Deployment;
  head: { blockNumber: number; timestamp: number };
  view: CoopView;
  replay: Replay;
  /** Figures compared; `patronage` is the part of `head` about the ledger and the distributor. */
  checks: { head: number; historical: number; patronage: number };
  historical: { blocks: number[]; unavailable: boolean };
  mismatches: Mismatch[];
  findings: Finding[];
  treasury: TreasuryAccount;
  rpcRetries: number;
  reportDir: string | null;
}

/** The co-op's ABIs from the compiled artifacts (`npx hardhat build`). */
export async function loadCoopAbis(root: string): Promise<CoopAbis> {
  const paths: Record<(typeof COOP_CONTRACTS)[number], string> = {
    MembershipCard: "artifacts/contracts/membership/MembershipCard.sol/MembershipCard.json",
    VoiceCredits: "artifacts/contracts/credits/VoiceCredits.sol/VoiceCredits.json",
    MutualGovernor: "artifacts/contracts/governance/MutualGovernor.sol/MutualGovernor.json",
    TimelockController: "artifacts/@openzeppelin/contracts/governance/TimelockController.sol/TimelockController.json",
    ContributionLedger: "artifacts/contracts/patronage/ContributionLedger.sol/ContributionLedger.json",
    PatronageDistributor: "artifacts/contracts/patronage/PatronageDistributor.sol/PatronageDistributor.json",
  };
  const abis: Partial<Record<string, InterfaceAbi>> = {};
  for (const contract of COOP_CONTRACTS) {
    let text: string;
    try {
      text = await readFile(join(root, paths[contract]), "utf8");
    } catch {
      throw new AuditInputError(`${paths[contract]} is missing: build the contracts first (npx hardhat build)`);
    }
    abis[contract] = (JSON.parse(text) as { abi: InterfaceAbi }).abi;
  }
  return abis as CoopAbis;
}

const hex = (n: number) => `0x${n.toString(16)}`;

async function header(rpc: JsonRpc, block: number): Promise<{ number: number; timestamp: number }> {
  const raw = await rpc.send<{ number: string; timestamp: string } | null>("eth_getBlockByNumber", [hex(block), false]);
  if (raw === null) throw new AuditInputError(`the node does not know block ${block}`);
  return { number: Number(raw.number), timestamp: Number(raw.timestamp) };
}

/** Runs the whole audit. Throws AuditInputError for bad input, IncompleteHistoryError for a refused history. */
export async function runAudit(options: AuditOptions): Promise<AuditResult> {
  const { deployment, abis } = options;
  const rpc = new JsonRpc(options.rpcUrl, options.rpcOptions);

  let chainId: number;
  try {
    // The first contact retries little: a wrong URL should fail fast, not after a long backoff.
    const probe = new JsonRpc(options.rpcUrl, { ...options.rpcOptions, attempts: 2, backoffMs: 250 });
    chainId = Number(await probe.send<string>("eth_chainId", []));
  } catch (error) {
    if (error instanceof RpcUnreachableError || error instanceof RpcError) {
      throw new AuditInputError(`cannot reach a JSON-RPC node at ${options.rpcUrl}: ${error.message}`);
    }
    throw error;
  }
  if (chainId !== deployment.chainId) {
    throw new AuditInputError(
      `the deployment file describes a co-op on chain ${deployment.chainId}, but ${options.rpcUrl} serves chain ${chainId}`,
    );
  }
  const latest = Number(await rpc.send<string>("eth_blockNumber", []));
  const toBlock = options.toBlock ?? latest;
  if (toBlock > latest) throw new AuditInputError(`block ${toBlock} is past the head of chain ${chainId} (${latest})`);
  if (deployment.deployBlock > toBlock) {
    throw new AuditInputError(`the deployment block ${deployment.deployBlock} is past block ${toBlock}`);
  }
  for (const contract of deployedContracts(deployment)) {
    const address = contractAddress(deployment, contract);
    const code = await rpc.send<string>("eth_getCode", [address, hex(toBlock)]);
    if (code === "0x") {
      throw new AuditInputError(`no contract at ${address} (${contract}) on chain ${chainId} at block ${toBlock}`);
    }
  }
  const head = await header(rpc, toBlock);
  const headView = { blockNumber: head.number, timestamp: head.timestamp };

  // Earlier blocks to check, spread over the history (the head is checked in full anyway).
  const wanted = options.historicalBlocks ?? 4;
  const points = new Set<number>();
  const span = toBlock - deployment.deployBlock;
  for (let i = 1; i <= wanted && span > 1; i++) {
    points.add(deployment.deployBlock + Math.floor((span * i) / (wanted + 1)));
  }
  const checkpoints: { block: number; timestamp: number }[] = [];
  for (const block of [...points].sort((a, b) => a - b)) {
    checkpoints.push({ block, timestamp: (await header(rpc, block)).timestamp });
  }

  const sink =
    options.outDir === null
      ? null
      : await (async () => {
          await prepareReportDir(options.outDir!);
          return new StreamingCsvSink(options.outDir!);
        })();
  const replay = new Replay(deployment.contracts, sink ?? {});
  const decode = createLogDecoder(deployment, abis);
  const guard = new LogOrderGuard(deployment.deployBlock, toBlock);
  const addresses = deployedContracts(deployment).map((c) => getAddress(contractAddress(deployment, c)));
  const source =
    options.logSource ??
    ((r, a, f, t) => fetchLogChunks(r, a, f, t, { onProgress: (p) => options.onProgress?.(progressLine(p)) }));
  const snapshots: HistoricalSnapshot[] = [];
  let nextPoint = 0;
  try {
    for await (const chunk of source(rpc, addresses, deployment.deployBlock, toBlock)) {
      guard.range(chunk.fromBlock, chunk.toBlock);
      for (const log of chunk.logs) {
        const position = { blockNumber: Number(log.blockNumber), logIndex: Number(log.logIndex), removed: log.removed };
        guard.log(position);
        while (nextPoint < checkpoints.length && checkpoints[nextPoint].block < position.blockNumber) {
          snapshots.push(takeSnapshot(replay, checkpoints[nextPoint].block, checkpoints[nextPoint].timestamp));
          nextPoint++;
        }
        replay.apply(decode(log, log.timestamp));
      }
    }
    guard.finish();
    replay.close();
  } catch (error) {
    await sink?.close();
    if (options.outDir !== null) await removeReportFiles(options.outDir);
    throw error;
  }
  for (; nextPoint < checkpoints.length; nextPoint++) {
    snapshots.push(takeSnapshot(replay, checkpoints[nextPoint].block, checkpoints[nextPoint].timestamp));
  }
  await sink?.close();

  const reader = new ChainReader(rpc, deployment.contracts, abis);
  const atHead = new Checker(reader, toBlock);
  queueHeadChecks(atHead, replay, head.timestamp);
  await atHead.run();
  const patronageAtHead = new Checker(reader, toBlock);
  queuePatronageHeadChecks(patronageAtHead, replay, head.timestamp);
  await patronageAtHead.run();

  // Treasury: the ETH that left is in CallExecuted events; what came in (plain transfers) emits nothing, so it is
  // derived from balances, and must never shrink: ETH leaves the timelock only through executed calls.
  const timelock = deployment.contracts.TimelockController;
  const closing = await reader.balance(timelock, toBlock);
  let opening: bigint | null = null;
  let unavailable = false;
  const historicalMismatches: Mismatch[] = [];
  let historicalChecks = 0;
  try {
    opening = deployment.deployBlock === 0 ? 0n : await reader.balance(timelock, deployment.deployBlock - 1);
  } catch (error) {
    if (!isMissingHistoricalState(error)) throw error;
    unavailable = true;
  }
  const paidOutBy = (block: number) =>
    replay.treasuryMovements.filter((m) => m.blockNumber <= block).reduce((sum, m) => sum + m.value, 0n);
  let received: bigint | null = null;
  if (opening !== null) {
    // What came in by block b is balance(b) − opening + paid out by b; it can only grow.
    let before = 0n;
    let beforeBlock = deployment.deployBlock;
    const inflowRule = (c: Checker, block: number, now: bigint) =>
      c.record(
        `TimelockController ETH received by block ${block} (balance − opening + paid out), never less than by block ${beforeBlock}`,
        now >= before,
        `at least ${before}`,
        String(now),
      );
    for (const s of snapshots) {
      const checker = new Checker(reader, s.block);
      queueHistoricalChecks(checker, s);
      try {
        await checker.run();
        const receivedThen = (await reader.balance(timelock, s.block)) - opening + paidOutBy(s.block);
        inflowRule(checker, s.block, receivedThen);
        before = receivedThen > before ? receivedThen : before;
        beforeBlock = s.block;
      } catch (error) {
        if (!isMissingHistoricalState(error)) throw error;
        unavailable = true;
        break;
      }
      historicalChecks += checker.checks;
      historicalMismatches.push(...checker.mismatches);
    }
    received = closing - opening + replay.treasuryPaidOut;
    inflowRule(atHead, toBlock, received);
  }

  const mismatches = [...atHead.mismatches, ...patronageAtHead.mismatches, ...historicalMismatches];
  const view = coopView(replay, toBlock, head.timestamp);
  const result: AuditResult = {
    ok: mismatches.length === 0 && replay.findings.length === 0,
    chainId,
    deployment,
    head: headView,
    view,
    replay,
    checks: {
      head: atHead.checks + patronageAtHead.checks,
      historical: historicalChecks,
      patronage: patronageAtHead.checks,
    },
    historical: { blocks: snapshots.map((s) => s.block), unavailable },
    mismatches,
    findings: replay.findings,
    treasury: { opening, closing, received },
    rpcRetries: rpc.retries,
    reportDir: options.outDir,
  };
  if (options.outDir !== null) await writeReport(options.outDir, result);
  return result;
}
