/**
 * The demo co-op on a chain served over HTTP, as `npm start` brings it up: an in-process Hardhat chain listening on
 * 127.0.0.1 (a free port), the co-op deployed through the Ignition module and the Hearth Bakery seeds replayed onto
 * it. For tests that talk to the chain the way the app, the relayer and the auditor do: over JSON-RPC.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";

import hre from "hardhat";

import { deployCoop, type Coop } from "../../deploy/coop.ts";
import { ROOT } from "../../lib/deployment.node.ts";
import { deploymentOf } from "../../deploy/coop.ts";
import { bakery, demoCoopConfig } from "../../seeds/bakery.ts";
import { seedCoop } from "../../seeds/seed.ts";
import type { Deployment } from "../../lib/deployment.ts";

export interface SeededChain {
  rpcUrl: string;
  connection: Awaited<ReturnType<typeof hre.network.create>>;
  coop: Coop;
  deployment: Deployment;
  chainId: number;
  /** Stops the server and removes the Ignition journal of this deployment. */
  close(): Promise<void>;
}

/** Starts the chain, deploys and seeds the demo co-op; `name` keeps this test's Ignition journal apart. */
export async function startSeededChain(name: string): Promise<SeededChain> {
  const server = await hre.network.createServer("default", "127.0.0.1", 0);
  const { port } = await server.listen();
  const rpcUrl = `http://127.0.0.1:${port}`;
  const deploymentId = `test-${name}-${process.pid}`;
  const close = async () => {
    await server.close();
    rmSync(join(ROOT, "deploy", "deployments", deploymentId), { recursive: true, force: true });
  };
  try {
    const connection = await hre.network.create({ network: "localhost", override: { url: rpcUrl } });
    const deployConnection = {
      ethers: connection.ethers,
      ignition: {
        deploy: (module: Parameters<typeof connection.ignition.deploy>[0], options?: object) =>
          connection.ignition.deploy(module, { ...options, deploymentId }),
      },
    };
    const accounts = (await connection.ethers.getSigners()).map((s) => s.address);
    const coop = await deployCoop(deployConnection, demoCoopConfig(bakery, accounts));
    await seedCoop(connection, coop, bakery, () => {});
    const chainId = Number((await connection.ethers.provider.getNetwork()).chainId);
    const deployment = await deploymentOf(coop, chainId);
    return { rpcUrl, connection, coop, deployment, chainId, close };
  } catch (error) {
    await close();
    throw error;
  }
}
