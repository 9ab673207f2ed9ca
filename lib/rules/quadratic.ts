/**
 * Quadratic voting arithmetic, identical to contracts/libraries/CreditMath.sol.
 * Used by the tests, the scripts, and (later) the relayer and the app — one copy.
 */

/** Credits that `votes` votes cost on one proposal: votes². */
export function voteCost(votes: bigint): bigint {
  if (votes < 0n) throw new RangeError(`votes must not be negative, got ${votes}`);
  return votes * votes;
}

/** What adding `added` votes costs a member who already cast `previous`: (previous + added)² − previous². */
export function marginalCost(previous: bigint, added: bigint): bigint {
  if (previous < 0n || added < 0n) throw new RangeError("votes must not be negative");
  const total = previous + added;
  return total * total - previous * previous;
}

/** The most votes `balance` credits buy on top of `previous` votes already cast: ⌊√(balance + previous²)⌋ − previous. */
export function maxAffordableVotes(balance: bigint, previous = 0n): bigint {
  if (balance < 0n || previous < 0n) throw new RangeError("balance and votes must not be negative");
  return isqrt(balance + previous * previous) - previous;
}

/** ⌊√n⌋ for a non-negative bigint. */
export function isqrt(n: bigint): bigint {
  if (n < 0n) throw new RangeError("square root of a negative number");
  if (n < 2n) return n;
  let x = BigInt(Math.floor(Math.sqrt(Number(n))));
  // Correct the floating-point estimate in both directions.
  while (x * x > n) x -= 1n;
  while ((x + 1n) * (x + 1n) <= n) x += 1n;
  return x;
}

/**
 * A balance after `epochs` epochs of `perEpoch` credits, capped at `cap`: the same rule as
 * CreditMath.accrue (a balance at or above the cap is left as it is).
 */
export function accrue(balance: bigint, epochs: bigint, perEpoch: bigint, cap: bigint): bigint {
  if (balance >= cap || epochs === 0n) return balance;
  const grown = balance + epochs * perEpoch;
  return grown < cap ? grown : cap;
}
