/**
 * The new-proposal builders: each turns a form's text into one action (target, value, calldata), or a specific
 * message saying what is wrong with the input. Descriptions end with `#proposer=<address>`, so that nobody can
 * front-run the proposal with the same actions and description and cancel it (OpenZeppelin's Governor refuses
 * such a description from anyone else).
 */
import {
  encodeFunctionData,
  erc20Abi,
  isAddress,
  getAddress,
  parseAbiItem,
  parseEther,
  parseUnits,
  zeroAddress,
  type Abi,
  type AbiFunction,
  type Hex,
} from "viem";

import type { Deployment } from "#lib/deployment.ts";
import { membershipCardAbi, mutualGovernorAbi, patronageDistributorAbi } from "#lib/abi/contracts.ts";
import type { Action } from "./actions.ts";

export type Built = { ok: true; action: Action } | { ok: false; error: string };
/** A builder whose input becomes several actions, in order (an ERC-20 pot: approve, then allocate). */
export type BuiltMany = { ok: true; actions: Action[] } | { ok: false; error: string };

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

/** The longest voting delay, voting period or late-quorum extension the governor accepts (`MAX_DURATION`). */
export const MAX_DURATION = 365 * 86_400;

/**
 * A rule change, refused here when the contracts would refuse it at execution: a quorum outside 0.01–100%, a
 * duration above a year, a vote open for no time, no voting delay, or a deposit above `limits.lowestCap` (what every member can hold:
 * `VoiceCredits.lowestCap`, computed from the replayed schedules).
 */
export function parameter(
  deployment: Deployment,
  which: Parameter,
  text: string,
  limits: { lowestCap: bigint },
): Built {
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
  if (which === "setProposalDeposit" && n > limits.lowestCap)
    return fail(
      `At most ${limits.lowestCap} credits, the most a member can hold: a larger deposit could never be paid, and the governor refuses it.`,
    );
  if (which !== "setProposalDeposit" && n > BigInt(MAX_DURATION))
    return fail(`At most ${MAX_DURATION} seconds (one year): the governor refuses longer.`);
  if (which === "setVotingPeriod" && n === 0n) return fail("A vote must stay open for at least 1 second.");
  if (which === "setVotingDelay" && n === 0n)
    return fail(
      "The voting delay must be at least 1 second: with none, a member admitted in the block a proposal is made would count at its snapshot.",
    );
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

/** A contribution period as the distributor knows it: finalized or not, and with how many contributors. */
export interface PeriodStatus {
  period: bigint;
  finalized: boolean;
  contributors: number;
}

export interface SurplusInput {
  period: string;
  asset: "eth" | "erc20";
  /** The ERC-20's address (asset "erc20"). */
  token: string;
  /** In ETH, or in whole tokens with `decimals` decimals. */
  amount: string;
  decimals: string;
}

/** The largest pot the distributor stores: 2^128 - 1 of the asset's smallest unit. */
const MAX_POT = (1n << 128n) - 1n;

/**
 * "Share a surplus": a pot for a finalized period's contributors. ETH is one action, `allocate(period, 0, amount)`
 * sending `amount`; an ERC-20 is two, `token.approve(distributor, amount)` then `allocate(period, token, amount)`,
 * which pulls the tokens from the treasury. `periods` is what the distributor says of each period.
 */
export function shareSurplus(deployment: Deployment, periods: readonly PeriodStatus[], input: SurplusInput): BuiltMany {
  const no = (error: string): BuiltMany => ({ ok: false, error });
  const distributor = deployment.contracts.PatronageDistributor;
  if (distributor === undefined) return no("This co-op was deployed without a patronage distributor.");
  const text = input.period.trim();
  if (!/^\d+$/.test(text)) return no("Enter the period's number, such as 0.");
  const period = BigInt(text);
  const status = periods.find((p) => p.period === period);
  if (status === undefined || !status.finalized)
    return no(
      `Period ${period} is not finalized: a pot can go to a period once its review has ended and it is finalized (on the Contributions page).`,
    );
  if (status.contributors === 0)
    return no(`Period ${period} has no validated contributions: there is nobody to share a pot with.`);
  const amountText = input.amount.trim();
  if (input.asset === "eth") {
    if (!/^\d+(\.\d{1,18})?$/.test(amountText)) return no("Enter an amount of ETH, such as 0.5.");
    const value = parseEther(amountText);
    if (value === 0n) return no("A pot must be more than 0 ETH.");
    if (value > MAX_POT) return no("A pot is at most 2^128 − 1 wei.");
    const calldata = encodeFunctionData({
      abi: patronageDistributorAbi,
      functionName: "allocate",
      args: [period, zeroAddress, value],
    });
    return { ok: true, actions: [{ target: distributor, value, calldata }] };
  }
  const token = address(input.token, "token");
  if (typeof token !== "string") return { ok: false, error: (token as { error: string }).error };
  if (token === zeroAddress) return no("The token's address cannot be zero: choose ETH for a pot of ETH.");
  if (!/^\d+$/.test(input.decimals.trim()) || Number(input.decimals) > 36)
    return no("Enter the token's decimals, a whole number from 0 to 36 (most tokens have 18, USDC 6).");
  const decimals = Number(input.decimals);
  const pattern = decimals === 0 ? /^\d+$/ : new RegExp(`^\\d+(\\.\\d{1,${decimals}})?$`);
  if (!pattern.test(amountText))
    return no(
      decimals === 0
        ? "Enter a whole number of tokens: this token has no decimals."
        : `Enter an amount of tokens with at most ${decimals} decimals, such as 250.5.`,
    );
  const amount = parseUnits(amountText, decimals);
  if (amount === 0n) return no("A pot must be more than 0 tokens.");
  if (amount > MAX_POT) return no("A pot is at most 2^128 − 1 of the token's smallest unit.");
  return {
    ok: true,
    actions: [
      {
        target: token,
        value: 0n,
        calldata: encodeFunctionData({ abi: erc20Abi, functionName: "approve", args: [distributor as Hex, amount] }),
      },
      {
        target: distributor,
        value: 0n,
        calldata: encodeFunctionData({
          abi: patronageDistributorAbi,
          functionName: "allocate",
          args: [period, token as Hex, amount],
        }),
      },
    ],
  };
}

/** The description as proposed: the title as a heading, the body, and the proposer suffix. */
export function proposalDescription(title: string, body: string, proposer: string): string {
  return `# ${title.trim()}\n\n${body.trim()}\n\n#proposer=${getAddress(proposer)}`;
}
