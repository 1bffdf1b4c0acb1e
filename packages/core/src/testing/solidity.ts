import { createRequire } from 'node:module';

/** One compiled contract: what ethers' `ContractFactory` takes. */
export interface CompiledContract {
  abi: unknown[];
  /** Creation bytecode, 0x-prefixed. */
  bytecode: string;
}

export interface CompileOptions {
  /** The EVM version to target (`paris` runs on every chain anvil emulates). Default `paris`. */
  evmVersion?: string;
  /** Optimizer runs; default 200. */
  optimizerRuns?: number;
}

interface SolcOutput {
  errors?: { severity: 'error' | 'warning' | 'info'; formattedMessage: string }[];
  contracts?: Record<string, Record<string, { abi: unknown[]; evm: { bytecode: { object: string } } }>>;
}

/**
 * Compiles Solidity sources (file name → source text) with solc-js, in process, and returns every
 * contract by name. Throws with the compiler's messages on an error (warnings are ignored).
 */
export function compileSolidity(sources: Record<string, string>, { evmVersion = 'paris', optimizerRuns = 200 }: CompileOptions = {}): Record<string, CompiledContract> {
  // solc is a large module (the compiler as wasm/asm.js): load it only when a test compiles
  const solc = createRequire(import.meta.url)('solc') as { compile(input: string): string };
  const input = {
    language: 'Solidity',
    sources: Object.fromEntries(Object.entries(sources).map(([name, content]) => [name, { content }])),
    settings: { evmVersion, optimizer: { enabled: true, runs: optimizerRuns }, outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } } },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input))) as SolcOutput;
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length > 0) throw new Error(`solc: ${errors.map((e) => e.formattedMessage).join('\n')}`);
  const contracts: Record<string, CompiledContract> = {};
  for (const file of Object.values(output.contracts ?? {})) {
    for (const [name, contract] of Object.entries(file)) contracts[name] = { abi: contract.abi, bytecode: `0x${contract.evm.bytecode.object}` };
  }
  return contracts;
}
