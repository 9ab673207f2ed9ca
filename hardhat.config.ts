import { createRequire } from "node:module";
import hardhatToolboxMochaEthers from "@nomicfoundation/hardhat-toolbox-mocha-ethers";
import { configVariable, defineConfig } from "hardhat/config";

const require = createRequire(import.meta.url);

/**
 * The compiler is the WASM build from the `solc` npm package, so a build never downloads
 * anything. Keep `SOLC_VERSION` equal to the exact `solc` version in package.json: Hardhat
 * labels the build with this string, not with the binary's own version.
 */
const SOLC_VERSION = "0.8.30";
const SOLC_PATH = require.resolve("solc/soljson.js");
const SETTINGS = {
  evmVersion: "prague",
  optimizer: { enabled: true, runs: 200 },
  viaIR: false,
};

export default defineConfig({
  plugins: [hardhatToolboxMochaEthers],
  // Ignition modules live in deploy/modules, deployment journals in deploy/deployments.
  paths: { ignition: "deploy" },
  solidity: {
    // Deployed by the co-op's deploy scripts and tests straight from OpenZeppelin.
    npmFilesToBuild: ["@openzeppelin/contracts/governance/TimelockController.sol"],
    profiles: {
      default: {
        compilers: [{ version: SOLC_VERSION, path: SOLC_PATH, settings: SETTINGS }],
        overrides: {
          "contracts/governance/MutualGovernor.sol": {
            version: SOLC_VERSION,
            path: SOLC_PATH,
            settings: { ...SETTINGS, viaIR: true },
          },
        },
      },
    },
  },
  // `hardhat test --coverage` (npm test): contracts/mocks/ holds test doubles and the OpenZeppelin reference used only
  // by the gas benchmark; they are not instrumented, so they cost nothing and stay out of the report and the
  // floor that scripts/tools/coverage-check.ts enforces.
  coverage: { skipFiles: ["contracts/mocks/**"] },
  test: {
    solidity: {
      fuzz: { runs: 256 },
    },
  },
  // Source verification (`ignition verify`, docs/deploy.md): Sourcify and Blockscout need no account. Etherscan
  // needs an API key, so it is enabled only when ETHERSCAN_API_KEY is set in the environment: without one its
  // attempt could only fail, and it would make `ignition verify` exit 1 after the others verified everything.
  verify: {
    etherscan: process.env.ETHERSCAN_API_KEY ? { apiKey: configVariable("ETHERSCAN_API_KEY") } : { enabled: false },
  },
  networks: {
    localhost: { type: "http", chainType: "l1", url: "http://127.0.0.1:8545" },
    // A public test network (docs/deploy.md). Both values are read when the network is used, from the
    // environment or the keystore (`npx hardhat keystore set SEPOLIA_RPC_URL`); never write them here.
    sepolia: {
      type: "http",
      chainType: "l1",
      url: configVariable("SEPOLIA_RPC_URL"),
      accounts: [configVariable("SEPOLIA_PRIVATE_KEY")],
    },
  },
});
