/**
 * A proposal's actions in words: "pay 2 ETH to 0x…", "admit 0x… as a member", "set the quorum to 25% of
 * members". Calls to the co-op's own contracts are decoded with their generated ABIs; anything else is shown as
 * a raw call, decoded too when an ABI fragment is given.
 */
import { decodeFunctionData, erc20Abi, formatEther, getAddress, parseAbi, zeroAddress, type Abi, type Hex } from "viem";

import {
  contributionLedgerAbi,
  membershipCardAbi,
  mutualGovernorAbi,
  patronageDistributorAbi,
  timelockControllerAbi,
  voiceCreditsAbi,
} from "#lib/abi/contracts.ts";
import type { Deployment } from "#lib/deployment.ts";
import { duration } from "./format.ts";

export interface Action {
  target: string;
  value: bigint;
  calldata: string;
}

const eth = (wei: bigint) => `${formatEther(wei)} ETH`;

/** The contract of the co-op at `address`, if any. */
function coopContract(deployment: Deployment, address: string) {
  const a = address.toLowerCase();
  const c = deployment.contracts;
  if (a === c.MembershipCard.toLowerCase()) return { name: "the membership card", abi: membershipCardAbi as Abi };
  if (a === c.VoiceCredits.toLowerCase()) return { name: "the voice credits", abi: voiceCreditsAbi as Abi };
  if (a === c.MutualGovernor.toLowerCase()) return { name: "the governor", abi: mutualGovernorAbi as Abi };
  if (a === c.TimelockController.toLowerCase()) return { name: "the treasury", abi: timelockControllerAbi as Abi };
  if (a === c.ContributionLedger?.toLowerCase())
    return { name: "the contribution ledger", abi: contributionLedgerAbi as Abi };
  if (a === c.PatronageDistributor?.toLowerCase())
    return { name: "the patronage distributor", abi: patronageDistributorAbi as Abi };
  return undefined;
}

function decodeWith(abi: Abi, data: string) {
  try {
    return decodeFunctionData({ abi, data: data as Hex });
  } catch {
    return undefined;
  }
}

const plural = (n: bigint, one: string) => `${n} ${one}${n === 1n ? "" : "s"}`;

/** A known call to the co-op's own contracts in words, or undefined. */
function describeCoopCall(functionName: string, args: readonly unknown[]): string | undefined {
  const n = (i: number) => BigInt(args[i] as bigint);
  switch (functionName) {
    case "allocate": {
      const token = getAddress(args[1] as string);
      const pot = token === zeroAddress ? eth(n(2)) : `${n(2)} of token ${token} (in its smallest units)`;
      return `share ${pot} as patronage among the contributors of period ${n(0)}, by validated units under the pay-ratio cap`;
    }
    case "finalize":
      return `finalize contribution period ${n(0)} with cards ${(args[1] as bigint[]).map((c) => `#${c}`).join(", ")}`;
    case "sweep":
      return `send what is left of patronage pot #${n(0)} back to the treasury`;
    case "setPayRatio":
      return `set the pay ratio to ${n(0)}:1 for periods that close from now on`;
    case "setClaimWindow":
      return `give members ${duration(n(0))} to claim from each pot allocated from now on`;
    case "setAttestationThreshold":
      return `require ${plural(n(0), "attestation")} for each contribution recorded from now on`;
    case "voidEntry":
      return `void contribution #${n(0)}${args[1] ? ` (reason: “${args[1]}”)` : ""}`;
    case "admit":
      return `admit ${getAddress(args[0] as string)} as a member`;
    case "admitMany":
      return `admit ${(args[0] as string[]).map((x) => getAddress(x)).join(", ")} as members`;
    case "expel":
      return `expel ${getAddress(args[0] as string)}${args[1] ? ` (reason: “${args[1]}”)` : ""}`;
    case "reassign":
      return `move the card of ${getAddress(args[0] as string)} to the new address ${getAddress(args[1] as string)}`;
    case "setProposalDeposit":
      return `set the proposal deposit to ${plural(n(0), "credit")}`;
    case "setVotingDelay":
      return `set the voting delay to ${duration(n(0))}`;
    case "setVotingPeriod":
      return `set the voting period to ${duration(n(0))}`;
    case "setLateQuorumVoteExtension":
      return `set the late-quorum extension to ${duration(n(0))}`;
    case "setQuorumFraction":
      return `set the quorum to ${Number(n(0)) / 100}% of members`;
    case "setSchedule":
      return `give every member ${plural(n(1), "credit")} every ${duration(n(0))}, up to ${n(2)}`;
    case "updateDelay":
      return `set the timelock delay to ${duration(n(0))}`;
    case "settleDeposit":
      return `settle the deposit of proposal ${n(0)}`;
    default:
      return undefined;
  }
}

/** One action in words. `fragment`, an ABI fragment ("function f(uint256)"), decodes a raw call to another contract. */
export function describeAction(action: Action, deployment: Deployment, fragment?: string): string {
  const target = getAddress(action.target);
  const data = action.calldata === "" ? "0x" : action.calldata;
  const withValue = (text: string) => (action.value > 0n ? `${text}, sending ${eth(action.value)}` : text);
  if (data === "0x") {
    if (action.value > 0n) return `pay ${eth(action.value)} to ${target}`;
    return `call ${target} with no data and no ETH (does nothing)`;
  }
  const coop = coopContract(deployment, target);
  if (coop !== undefined) {
    const decoded = decodeWith(coop.abi, data);
    if (decoded !== undefined) {
      const args = (decoded.args ?? []) as readonly unknown[];
      const words = describeCoopCall(decoded.functionName, args);
      // An ETH pot's words name its amount already: the value sent says it again only when it differs.
      const potValue =
        decoded.functionName === "allocate" && BigInt(args[1] as string) === 0n && args[2] === action.value;
      if (words !== undefined) return potValue ? words : withValue(words);
      return withValue(`call ${decoded.functionName}(${args.map(String).join(", ")}) on ${coop.name}`);
    }
  }
  const token = decodeWith(erc20Abi as Abi, data);
  if (token !== undefined && (token.functionName === "approve" || token.functionName === "transfer")) {
    const [who, amount] = token.args as readonly [string, bigint];
    const spender =
      getAddress(who) === getAddress(deployment.contracts.PatronageDistributor ?? zeroAddress)
        ? "the patronage distributor"
        : getAddress(who);
    return withValue(
      token.functionName === "approve"
        ? `allow ${spender} to take ${amount} of token ${target} (in its smallest units)`
        : `send ${amount} of token ${target} (in its smallest units) to ${spender}`,
    );
  }
  if (fragment !== undefined && fragment.trim() !== "") {
    try {
      const decoded = decodeWith(parseAbi([fragment.trim()]), data);
      if (decoded !== undefined) {
        const args = (decoded.args ?? []) as readonly unknown[];
        return withValue(`call ${decoded.functionName}(${args.map(String).join(", ")}) on ${target}`);
      }
    } catch {
      // An unreadable fragment: fall back to the raw call below.
    }
  }
  const bytes = (data.length - 2) / 2;
  return withValue(`call ${target} with ${bytes} bytes of data (function ${data.slice(0, 10)})`);
}
