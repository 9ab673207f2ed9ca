/**
 * A whole relayer for one co-op: the store, the validator, the HTTP server and the submitter, started together
 * on a provider and the relayer's wallet. `relayer/main.ts` runs it from the command line; `npm start` and the
 * tests start it in their own process.
 */
import { getAddress, type Provider, type Wallet } from "ethers";
import type { FastifyInstance } from "fastify";

import { governorDomain, type GovernorDomain } from "../lib/ballots/ballot.ts";
import type { Deployment } from "../lib/deployment.ts";
import { governorBallotInterface } from "../lib/ballots/relay.ts";
import { DEFAULT_ALLOWED_ORIGINS, createServer, defaultServerLimits, type ServerLimits } from "./server.ts";
import { BallotStore } from "./store.ts";
import { Submitter, defaultSubmitterOptions, type SubmitterOptions } from "./submitter.ts";
import { BallotValidator } from "./validate.ts";

export interface RelayerConfig {
  /** The chain. It must not cache answers (for ethers' JsonRpcProvider: `cacheTimeout: -1`). */
  provider: Provider;
  /** Pays for the batches. Its key is never logged. */
  wallet: Wallet;
  deployment: Deployment;
  /** The SQLite database file. */
  dbPath: string;
  /** Default 127.0.0.1: reachable from this machine only. */
  host?: string;
  /** Default 8787; 0 picks a free port. */
  port?: number;
  limits?: Partial<ServerLimits>;
  /** Origins whose pages may call the API from a browser (CORS); default the local members' app. */
  allowedOrigins?: readonly string[];
  submitter?: Partial<SubmitterOptions>;
  log?: (line: string) => void;
}

export interface Relayer {
  /** Where the API answers, e.g. http://127.0.0.1:8787. */
  url: string;
  /** The relayer's account. */
  address: string;
  domain: GovernorDomain;
  store: BallotStore;
  submitter: Submitter;
  server: FastifyInstance;
  /** Stops taking ballots, stops the submitter after its current step, closes the database. */
  close(): Promise<void>;
}

export const DEFAULT_RELAYER_PORT = 8787;

export async function startRelayer(config: RelayerConfig): Promise<Relayer> {
  const { provider, wallet, deployment } = config;
  const log = config.log ?? ((line: string) => console.log(line));
  const chainId = (await provider.getNetwork()).chainId;
  if (chainId !== BigInt(deployment.chainId)) {
    throw new Error(`the RPC endpoint serves chain ${chainId}, but the deployment is on chain ${deployment.chainId}`);
  }
  const governor = getAddress(deployment.contracts.MutualGovernor);
  if ((await provider.getCode(governor)) === "0x") {
    throw new Error(
      `no contract at the governor's address ${governor} on chain ${chainId}: is the deployment file current?`,
    );
  }
  const [name] = governorBallotInterface.decodeFunctionResult(
    "name",
    await provider.call({ to: governor, data: governorBallotInterface.encodeFunctionData("name") }),
  );
  const domain = governorDomain(name as string, chainId, governor);
  const signer = wallet.connect(provider);

  const store = new BallotStore(config.dbPath, { chainId, governor });
  const submitter = new Submitter({
    store,
    provider,
    wallet: signer,
    chainId,
    governor,
    options: { ...defaultSubmitterOptions, ...config.submitter },
    log,
  });
  const validator = new BallotValidator({ provider, domain, relayer: signer.address });
  const limits = { ...defaultServerLimits, ...config.limits };
  let server: FastifyInstance;
  try {
    server = await createServer({
      store,
      validator,
      limits,
      allowedOrigins: config.allowedOrigins ?? DEFAULT_ALLOWED_ORIGINS,
      log,
      onQueued: () => submitter.notify(),
      describe: () => ({
        chainId: Number(chainId),
        governor,
        relayer: signer.address,
        ...(submitter.lastError !== undefined ? { submitterError: submitter.lastError } : {}),
      }),
    });
    await server.listen({ host: config.host ?? "127.0.0.1", port: config.port ?? DEFAULT_RELAYER_PORT });
  } catch (error) {
    store.close();
    throw error;
  }
  submitter.start();
  const address = server.server.address();
  const url =
    typeof address === "object" && address !== null
      ? `http://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}`
      : String(address);
  const pending = store.counts();
  log(
    `relayer: ${deployment.name} on chain ${chainId}, governor ${governor}, paying from ${signer.address}; ` +
      `${url}; database ${config.dbPath} (${pending.queued} queued, ${pending.submitted} submitted)`,
  );

  let closed: Promise<void> | undefined;
  return {
    url,
    address: signer.address,
    domain,
    store,
    submitter,
    server,
    close() {
      closed ??= (async () => {
        await server.close();
        await submitter.stop();
        store.close();
      })();
      return closed;
    },
  };
}
