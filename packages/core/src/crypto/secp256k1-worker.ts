// The worker of `secp256k1-workers.ts`: recovers signers and signs digests with registered keys
// or with a key sent along (not kept: the message and its bytes are gone after the answer).
import { parentPort } from 'node:worker_threads';
import { secp256k1 } from '@noble/curves/secp256k1';
import { keccak_256 } from '@noble/hashes/sha3';
import type { WorkerReply, WorkerRequest } from './secp256k1-workers.js';

const keys = new Map<number, Uint8Array>();
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

function answer(request: WorkerRequest): WorkerReply {
  if (request.op === 'key') {
    keys.set(request.keyId, request.privateKey);
    return { id: request.id, value: null };
  }
  if (request.op === 'sign' || request.op === 'signOnce') {
    // RFC 6979: deterministic, so the bytes are the ones the event loop would have made
    const key = request.op === 'sign' ? keys.get(request.keyId)! : request.privateKey;
    try {
      const signature = secp256k1.sign(request.digest, key, { lowS: true });
      return { id: request.id, value: `${signature.toCompactHex()}${signature.recovery}` };
    } catch {
      return { id: request.id, value: null }; // not a private key, or not a 32-byte digest: refused, the worker lives on
    }
  }
  try {
    const publicKey = secp256k1.Signature.fromCompact(request.signature).addRecoveryBit(request.bit).recoverPublicKey(request.digest).toRawBytes(false);
    // the address: the last 20 bytes of keccak256 of the uncompressed key without its 0x04 prefix
    return { id: request.id, value: hex(keccak_256(publicKey.subarray(1))).slice(-40) };
  } catch {
    return { id: request.id, value: null }; // r or s out of range, or no point with that x: no signer
  }
}

parentPort!.on('message', (request: WorkerRequest) => parentPort!.postMessage(answer(request)));
