/**
 * The new-proposal builders: each turns a form's text into one action (target, value, calldata), or a specific
 * message saying what is wrong with the input. Descriptions end with `#proposer=<address>`, so that nobody can
 * front-run the proposal with the same actions and description and cancel it (OpenZeppelin's Governor refuses
 * such a description from anyone else).
 */
import {
  encodeFunctionData,
  isAddress,
  getAddress,
  parseAbiItem,
  parseEther,
  type Abi,
  type AbiFunction,
  type Hex,
} from "viem";

import type { Deployment } from "../../../lib/deployment.ts";
import { membershipCardAbi, mutualGovernorAbi } from "../generated/abis.ts";
import type { Action } from "./actions.ts";

export type Built = { ok: true; action: Action } | { ok: false; error: string };

export const PARAMETERS = {
  setProposalDeposit: { label: "Proposal deposit (credits)", unit: "credits" },
  setQuorumFraction: { label: "Quorum (% of members)", unit: "%" },
  setVotingDelay: { label: "Voting delay (seconds)", unit: "seconds" },
  setVotingPeriod: { label: "Voting period (seconds)", unit: "seconds" },
  setLateQuorumVoteExtension: { label: "Late-quorum extension (seconds)", unit: "seconds" },
} as const;
export type Parameter = keyof typeof PARAMETERS;

const fail = (error: string): Built => ({ ok: false, error });

function address(text: string, what: string): string | Built {
  const t = text.trim();
  if (t === "") return fail(`Enter the ${what}'s address.`);
  if (!isAddress(t, { strict: false })) return fail(`“${t}” is not an address (0x followed by 40 hexadecimal digits).`);
  return getAddress(t);
}

export function payment(deployment: Deployment, to: string, eth: string): Built {
  const target = address(to, "recipient");
  if (typeof target !== "string") return target;
  if (!/^\d+(\.\d{1,18})?$/.test(eth.trim())) return fail("Enter an amount of ETH, such as 0.5.");
  const value = parseEther(eth.trim());
  if (value === 0n) return fail("A payment must be more than 0 ETH.");
  void deployment;
  return { ok: true, action: { target, value, calldata: "0x" } };
}

export function admit(deployment: Deployment, who: string): Built {
  const account = address(who, "new member");
  if (typeof account !== "string") return account;
  const calldata = encodeFunctionData({ abi: membershipCardAbi, functionName: "admit", args: [account as Hex] });
  return { ok: true, action: { target: deployment.contracts.MembershipCard, value: 0n, calldata } };
}

export function expel(deployment: Deployment, who: string, reason: string): Built {
  const account = address(who, "member");
  if (typeof account !== "string") return account;
  if (reason.trim() === "") return fail("Give the reason: it stays in the co-op's history.");
  const calldata = encodeFunctionData({
    abi: membershipCardAbi,
    functionName: "expel",
    args: [account as Hex, reason.trim()],
  });
  return { ok: true, action: { target: deployment.contracts.MembershipCard, value: 0n, calldata } };
}

export function parameter(deployment: Deployment, which: Parameter, text: string): Built {
  const t = text.trim();
  if (which === "setQuorumFraction") {
    if (!/^\d+(\.\d{1,2})?$/.test(t)) return fail("Enter a percentage such as 25 or 12.5.");
    const bps = Math.round(Number(t) * 100);
    if (bps < 1 || bps > 10_000) return fail("The quorum must be between 0.01% and 100% of members.");
    const calldata = encodeFunctionData({ abi: mutualGovernorAbi, functionName: "setQuorumFraction", args: [bps] });
    return { ok: true, action: { target: deployment.contracts.MutualGovernor, value: 0n, calldata } };
  }
  if (!/^\d+$/.test(t)) return fail(`Enter a whole number of ${PARAMETERS[which].unit}.`);
  const n = BigInt(t);
  const calldata =
    which === "setProposalDeposit"
      ? encodeFunctionData({ abi: mutualGovernorAbi, functionName: which, args: [n] })
      : which === "setVotingPeriod"
        ? encodeFunctionData({ abi: mutualGovernorAbi, functionName: which, args: [Number(n)] })
        : encodeFunctionData({ abi: mutualGovernorAbi, functionName: which, args: [Number(n)] });
  return { ok: true, action: { target: deployment.contracts.MutualGovernor, value: 0n, calldata } };
}

/** Arguments typed as text, one per line or comma-separated JSON: `["0x…", 5]`. */
export function rawCall(to: string, fragment: string, argsText: string, eth: string): Built {
  const target = address(to, "contract");
  if (typeof target !== "string") return target;
  let item: AbiFunction;
  try {
    const parsed = parseAbiItem(
      fragment.trim().startsWith("function") ? fragment.trim() : `function ${fragment.trim()}`,
    );
    if (parsed.type !== "function")
      return fail("The fragment must be a function, such as function store(uint256 value).");
    item = parsed as AbiFunction;
  } catch {
    return fail("The ABI fragment does not parse: write it like function store(uint256 value).");
  }
  let args: unknown[];
  try {
    args = argsText.trim() === "" ? [] : (JSON.parse(`[${argsText}]`) as unknown[]);
  } catch {
    return fail('Write the arguments as JSON values separated by commas, such as "0xabc…", 42.');
  }
  if (args.length !== item.inputs.length)
    return fail(
      `${item.name} takes ${item.inputs.length} argument${item.inputs.length === 1 ? "" : "s"}, got ${args.length}.`,
    );
  if (eth.trim() !== "" && !/^\d+(\.\d{1,18})?$/.test(eth.trim()))
    return fail("Enter an amount of ETH, such as 0.5, or leave it empty.");
  try {
    const calldata = encodeFunctionData({ abi: [item] as Abi, functionName: item.name, args });
    return { ok: true, action: { target, value: eth.trim() === "" ? 0n : parseEther(eth.trim()), calldata } };
  } catch (error) {
    return fail(
      `The arguments do not fit ${item.name}: ${(error as { shortMessage?: string }).shortMessage ?? (error as Error).message}`,
    );
  }
}

/** The description as proposed: the title as a heading, the body, and the proposer suffix. */
export function proposalDescription(title: string, body: string, proposer: string): string {
  return `# ${title.trim()}\n\n${body.trim()}\n\n#proposer=${getAddress(proposer)}`;
}
