// EIP-712 typed-data digests and Ethereum addresses with noble's keccak, without ethers: the
// custodial wallets sign the digest on the secp256k1 workers, so the event loop only hashes.
// The encoding follows ethers v6's TypedDataEncoder (the judge in the tests): the same primary
// type rule, the same value forms, the same errors for what it refuses.
import { secp256k1 } from '@noble/curves/secp256k1';
import { keccak_256 } from '@noble/hashes/sha3';
import type { TypedDataRequest } from '../contracts/accounts.js';
import { addressOfPublicKey, checksumAddress } from './evm-address.js';

type Fields = TypedDataRequest['types'][string];

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const utf8 = (text: string) => {
  if (LONE_SURROGATE.test(text)) throw new TypeError('typed data: a string holds a lone surrogate (no UTF-8 form)');
  return Buffer.from(text, 'utf8');
};

/** keccak256 as 0x-prefixed hex. */
export const keccak256Hex = (data: Uint8Array | string): string => `0x${Buffer.from(keccak_256(typeof data === 'string' ? utf8(data) : data)).toString('hex')}`;

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/** An address's 20 bytes; mixed case must be its EIP-55 checksum (as ethers' getAddress insists). */
function addressBytes(value: unknown): Buffer {
  if (typeof value !== 'string' || !ADDRESS.test(value)) throw new TypeError(`typed data: not an address: ${JSON.stringify(value)}`);
  const digits = value.slice(2);
  const mixed = digits !== digits.toLowerCase() && digits !== digits.toUpperCase();
  if (mixed && checksumAddress(value.toLowerCase()) !== value) throw new TypeError(`typed data: bad address checksum: ${value}`);
  return Buffer.from(digits, 'hex');
}

function bytesOf(value: unknown): Buffer {
  if (value instanceof Uint8Array) return Buffer.from(value);
  if (typeof value === 'string' && /^0x(?:[0-9a-fA-F]{2})*$/.test(value)) return Buffer.from(value.slice(2), 'hex');
  throw new TypeError(`typed data: not bytes (0x-hex of whole bytes): ${JSON.stringify(value)}`);
}

function bigIntOf(value: unknown): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  if (typeof value === 'string' && /^-?(?:0x[0-9a-fA-F]+|\d+)$/.test(value)) return value.startsWith('-') ? -BigInt(value.slice(1)) : BigInt(value);
  throw new TypeError(`typed data: not an integer: ${JSON.stringify(value)}`);
}

const word = (n: bigint) => Buffer.from(BigInt.asUintN(256, n).toString(16).padStart(64, '0'), 'hex');

/** The encoder of an atomic type (32 bytes), or null for a struct or array type. */
function atomicEncoder(type: string): ((value: unknown) => Buffer) | null {
  const int = /^(u?)int(\d+)$/.exec(type);
  if (int) {
    const width = Number(int[2]);
    if (width % 8 !== 0 || width === 0 || width > 256 || int[2] !== String(width)) throw new TypeError(`typed data: invalid numeric width: ${type}`);
    const signed = int[1] === '';
    const max = (1n << BigInt(signed ? width - 1 : width)) - 1n;
    const min = signed ? -(max + 1n) : 0n;
    return (value) => {
      const n = bigIntOf(value);
      if (n < min || n > max) throw new TypeError(`typed data: value out of bounds for ${type}`);
      return word(n);
    };
  }
  const fixed = /^bytes(\d+)$/.exec(type);
  if (fixed) {
    const width = Number(fixed[1]);
    if (width === 0 || width > 32 || fixed[1] !== String(width)) throw new TypeError(`typed data: invalid bytes width: ${type}`);
    return (value) => {
      const bytes = bytesOf(value);
      if (bytes.length !== width) throw new TypeError(`typed data: invalid length for ${type}`);
      return Buffer.concat([bytes, Buffer.alloc(32 - width)]);
    };
  }
  switch (type) {
    case 'address':
      return (value) => Buffer.concat([Buffer.alloc(12), addressBytes(value)]);
    case 'bool':
      return (value) => word(value ? 1n : 0n);
    case 'bytes':
      return (value) => Buffer.from(keccak_256(bytesOf(value)));
    case 'string':
      return (value) => {
        if (typeof value !== 'string') throw new TypeError(`typed data: not a string: ${JSON.stringify(value)}`);
        return Buffer.from(keccak_256(utf8(value)));
      };
  }
  return null;
}

/** `foo[2][]` → the element type `foo[2]` and the length (-1: any). */
function splitArray(type: string): { element: string; base: string; length: number } | null {
  const match = /^([^[]*)((?:\[\d*\])*)\[(\d*)\]$/.exec(type);
  return match ? { element: match[1]! + match[2]!, base: match[1]!, length: match[3] ? Number(match[3]) : -1 } : null;
}

interface Compiled {
  primaryType: string;
  /** hashStruct of a value of a struct type. */
  hashStruct(type: string, value: unknown): Buffer;
}

function compile(input: TypedDataRequest['types']): Compiled {
  // `uint` and `int` mean 256 bits unless a struct has that name (as ethers normalizes them)
  const types: Record<string, Fields> = {};
  for (const [name, fields] of Object.entries(input)) {
    types[name] = fields.map((f) => {
      const array = splitArray(f.type);
      let base = array ? array.base : f.type;
      if ((base === 'int' || base === 'uint') && !input[base]) base = `${base}256`;
      return { name: f.name, type: array ? base + f.type.slice(array.base.length) : base };
    });
  }
  const baseOf = (type: string) => splitArray(type)?.base ?? type;
  const children = new Map<string, Set<string>>();
  const parents = new Map<string, string[]>(Object.keys(types).map((t) => [t, []]));
  for (const [name, fields] of Object.entries(types)) {
    const names = new Set<string>();
    const links = new Set<string>();
    for (const field of fields) {
      if (names.has(field.name)) throw new TypeError(`typed data: duplicate field ${JSON.stringify(field.name)} in ${JSON.stringify(name)}`);
      names.add(field.name);
      const base = baseOf(field.type);
      if (base === name) throw new TypeError(`typed data: circular type reference to ${JSON.stringify(base)}`);
      if (atomicEncoder(base)) continue;
      if (!parents.has(base)) throw new TypeError(`typed data: unknown type ${JSON.stringify(base)}`);
      parents.get(base)!.push(name);
      links.add(base);
    }
    children.set(name, links);
  }
  const primaries = [...parents].filter(([, p]) => p.length === 0).map(([t]) => t);
  if (primaries.length !== 1) throw new TypeError(`typed data: ${primaries.length === 0 ? 'missing primary type' : `ambiguous primary types or unused types: ${primaries.join(', ')}`}`);
  const primaryType = primaries[0]!;

  // every struct type's referenced types (transitively), refusing cycles
  const referenced = new Map<string, Set<string>>();
  const collect = (type: string, path: Set<string>): Set<string> => {
    if (path.has(type)) throw new TypeError(`typed data: circular type reference to ${JSON.stringify(type)}`);
    const known = referenced.get(type);
    if (known) return known;
    path.add(type);
    const all = new Set<string>();
    for (const child of children.get(type)!) {
      all.add(child);
      for (const t of collect(child, path)) all.add(t);
    }
    path.delete(type);
    referenced.set(type, all);
    return all;
  };
  collect(primaryType, new Set());
  const encodeType = (name: string) => `${name}(${types[name]!.map((f) => `${f.type} ${f.name}`).join(',')})`;
  const typeHashes = new Map<string, Buffer>();
  for (const name of Object.keys(types)) {
    const full = encodeType(name) + [...(referenced.get(name) ?? collect(name, new Set()))].sort().map(encodeType).join('');
    typeHashes.set(name, Buffer.from(keccak_256(Buffer.from(full, 'utf8'))));
  }

  /** A field's 32-byte encoding: atomic values as words, structs and arrays as their hashes. */
  function encodeField(type: string, value: unknown): Buffer {
    const atomic = atomicEncoder(type);
    if (atomic) return atomic(value);
    const array = splitArray(type);
    if (array) {
      if (!Array.isArray(value)) throw new TypeError(`typed data: not an array for ${type}`);
      if (array.length !== -1 && value.length !== array.length) throw new TypeError(`typed data: array length mismatch; expected length ${array.length}`);
      return Buffer.from(keccak_256(Buffer.concat(value.map((v: unknown) => encodeField(array.element, v)))));
    }
    return hashStruct(type, value);
  }
  function hashStruct(type: string, value: unknown): Buffer {
    const fields = types[type];
    if (!fields) throw new TypeError(`typed data: unknown type ${JSON.stringify(type)}`);
    if (value === null || typeof value !== 'object') throw new TypeError(`typed data: not an object for ${type}`);
    const record = value as Record<string, unknown>;
    return Buffer.from(keccak_256(Buffer.concat([typeHashes.get(type)!, ...fields.map((f) => encodeField(f.type, record[f.name]))])));
  }
  return { primaryType, hashStruct };
}

// Most callers pass one constant `types` object (the mint's): compiled once.
const compiledTypes = new WeakMap<object, Compiled>();
const compiled = (types: TypedDataRequest['types']) => {
  let c = compiledTypes.get(types);
  if (!c) compiledTypes.set(types, (c = compile(types)));
  return c;
};

const DOMAIN_FIELDS: Fields = [
  { name: 'name', type: 'string' },
  { name: 'version', type: 'string' },
  { name: 'chainId', type: 'uint256' },
  { name: 'verifyingContract', type: 'address' },
  { name: 'salt', type: 'bytes32' },
];

function domainSeparator(domain: Record<string, unknown>): Buffer {
  for (const key of Object.keys(domain)) {
    if (domain[key] != null && !DOMAIN_FIELDS.some((f) => f.name === key)) throw new TypeError(`typed data: invalid domain key ${JSON.stringify(key)}`);
  }
  const fields = DOMAIN_FIELDS.filter((f) => domain[f.name] != null);
  if (domain['chainId'] != null && bigIntOf(domain['chainId']) < 0n) throw new TypeError('typed data: invalid chain ID');
  return compiled(domainTypes(fields)).hashStruct('EIP712Domain', domain);
}

// one types object per set of domain fields, so the WeakMap keeps its compilation
const domainTypeObjects = new Map<string, TypedDataRequest['types']>();
function domainTypes(fields: Fields): TypedDataRequest['types'] {
  const key = fields.map((f) => f.name).join(',');
  let types = domainTypeObjects.get(key);
  if (!types) domainTypeObjects.set(key, (types = { EIP712Domain: fields }));
  return types;
}

/** The EIP-712 digest `keccak256(0x1901 ‖ domainSeparator ‖ hashStruct(value))`: what the signer signs. */
export function typedDataDigest({ domain, types, value }: TypedDataRequest): Uint8Array {
  const c = compiled(types);
  return keccak_256(Buffer.concat([Buffer.from([0x19, 0x01]), domainSeparator(domain), c.hashStruct(c.primaryType, value)]));
}

/** The EIP-55 address whose key made `signature` (r ‖ s ‖ v, 65 bytes, v 27/28 or 0/1) of the typed data; throws on a malformed signature. */
export function recoverTypedDataSigner(request: TypedDataRequest, signature: string): string {
  const bytes = bytesOf(signature);
  if (bytes.length !== 65) throw new TypeError('not a 65-byte signature');
  const v = bytes[64]!;
  const bit = v >= 27 ? v - 27 : v;
  if (bit !== 0 && bit !== 1) throw new TypeError('not a signature: v is not 27 or 28');
  const point = secp256k1.Signature.fromCompact(bytes.subarray(0, 64)).addRecoveryBit(bit).recoverPublicKey(typedDataDigest(request));
  return addressOfPublicKey(point.toRawBytes(false));
}
