// The worker of `ecrecover-pool.ts`: recovers the address of an EIP-191 digest's signer.
import { parentPort } from 'node:worker_threads';
import { secp256k1 } from '@noble/curves/secp256k1';
import { keccak_256 } from '@noble/hashes/sha3';
import type { RecoveryRequest, RecoveryReply } from './ecrecover-pool.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

parentPort!.on('message', ({ id, digest, signature, bit }: RecoveryRequest) => {
  let address: string | null = null;
  try {
    const publicKey = secp256k1.Signature.fromCompact(signature).addRecoveryBit(bit).recoverPublicKey(digest).toRawBytes(false);
    // the address: the last 20 bytes of keccak256 of the uncompressed key without its 0x04 prefix
    address = hex(keccak_256(publicKey.subarray(1))).slice(-40);
  } catch {
    // r or s out of range, or no point with that x: no signer
  }
  parentPort!.postMessage({ id, address } satisfies RecoveryReply);
});
