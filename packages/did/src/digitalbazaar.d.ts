// Types for the parts of Digital Bazaar's untyped JavaScript packages the did plugin uses, and
// nothing more. JSON-LD documents are plain objects here.

declare module '@digitalbazaar/vc' {
  export type JsonLdObject = Record<string, unknown>;
  export interface RemoteDocument {
    contextUrl: string | null;
    documentUrl: string;
    document: unknown;
  }
  export type DocumentLoader = (url: string) => Promise<RemoteDocument>;
  /** A signature suite instance (DataIntegrityProof, Ed25519Signature2020). */
  export interface LinkedDataSuite {
    readonly type: string;
    verificationMethod?: string;
  }
  /** What a suite's `verifySignature` gets: the signing input it computed for `proof`, and the key. */
  export interface VerifySignatureOptions {
    verifyData: Uint8Array;
    verificationMethod: JsonLdObject;
    proof: JsonLdObject;
  }
  export interface ProofPurpose {
    readonly term: string;
  }
  export interface VerifyResult {
    verified: boolean;
    error?: Error & { errors?: Error[] };
    results?: { verified: boolean; error?: Error; proof?: JsonLdObject; verificationMethod?: JsonLdObject }[];
    statusResult?: { verified: boolean };
  }
  export interface VerifyPresentationResult {
    verified: boolean;
    error?: Error & { errors?: Error[] };
    presentationResult?: VerifyResult;
    credentialResults?: (VerifyResult & { credentialId?: string })[];
  }
  export function issue(options: { credential: JsonLdObject; suite: LinkedDataSuite; documentLoader: DocumentLoader; now?: Date | string }): Promise<JsonLdObject>;
  export function verifyCredential(options: {
    credential: JsonLdObject;
    suite: LinkedDataSuite | LinkedDataSuite[];
    documentLoader: DocumentLoader;
    now?: Date | string;
    maxClockSkew?: number;
    checkStatus?: (options: { credential: JsonLdObject }) => Promise<{ verified: boolean; error?: Error }>;
  }): Promise<VerifyResult>;
  export function signPresentation(options: { presentation: JsonLdObject; suite: LinkedDataSuite; documentLoader: DocumentLoader; challenge: string; domain?: string }): Promise<JsonLdObject>;
  export function verify(options: {
    presentation: JsonLdObject;
    suite: LinkedDataSuite | LinkedDataSuite[];
    documentLoader: DocumentLoader;
    challenge?: string;
    domain?: string;
    now?: Date | string;
    maxClockSkew?: number;
    presentationPurpose?: ProofPurpose;
    checkStatus?: (options: { credential: JsonLdObject }) => Promise<{ verified: boolean; error?: Error }>;
  }): Promise<VerifyPresentationResult>;
  export function createPresentation(options: { verifiableCredential?: JsonLdObject | JsonLdObject[]; holder?: string; id?: string; version?: 1.0 | 2.0 }): JsonLdObject;
}

declare module '@digitalbazaar/data-integrity' {
  import type { LinkedDataSuite } from '@digitalbazaar/vc';
  export interface Cryptosuite {
    readonly name: string;
  }
  export interface Signer {
    id: string;
    algorithm: string;
    sign(input: { data: Uint8Array }): Promise<Uint8Array>;
  }
  export class DataIntegrityProof implements LinkedDataSuite {
    constructor(options: { cryptosuite: Cryptosuite; signer?: Signer; date?: Date | string });
    readonly type: string;
    verificationMethod?: string;
    verifySignature(options: import('@digitalbazaar/vc').VerifySignatureOptions): Promise<boolean>;
  }
}

declare module '@digitalbazaar/eddsa-rdfc-2022-cryptosuite' {
  import type { Cryptosuite } from '@digitalbazaar/data-integrity';
  export const cryptosuite: Cryptosuite;
}

declare module '@digitalbazaar/ecdsa-rdfc-2019-cryptosuite' {
  import type { Cryptosuite } from '@digitalbazaar/data-integrity';
  export const cryptosuite: Cryptosuite;
}

declare module '@digitalbazaar/ed25519-signature-2020' {
  import type { Signer } from '@digitalbazaar/data-integrity';
  import type { LinkedDataSuite } from '@digitalbazaar/vc';
  export class Ed25519Signature2020 implements LinkedDataSuite {
    constructor(options?: { signer?: Signer; date?: Date | string });
    readonly type: string;
    verificationMethod?: string;
    verifySignature(options: import('@digitalbazaar/vc').VerifySignatureOptions): Promise<boolean>;
  }
}

/** A Multikey key pair (ed25519-multikey, ecdsa-multikey). */
declare interface MultikeyPair {
  id?: string;
  controller?: string;
  publicKeyMultibase: string;
  secretKeyMultibase?: string;
  signer(): import('@digitalbazaar/data-integrity').Signer;
  export(options: { publicKey?: boolean; secretKey?: boolean; includeContext?: boolean }): Promise<Record<string, unknown>>;
}

declare module '@digitalbazaar/ed25519-multikey' {
  export function generate(options?: { id?: string; controller?: string; seed?: Uint8Array }): Promise<MultikeyPair>;
  export function from(key: Record<string, unknown>): Promise<MultikeyPair>;
  export function fromJwk(options: { jwk: { kty: 'OKP'; crv: 'Ed25519'; x: string; d?: string }; secretKey?: boolean }): Promise<MultikeyPair>;
}

declare module '@digitalbazaar/ecdsa-multikey' {
  export function generate(options: { curve: 'P-256' | 'P-384'; id?: string; controller?: string }): Promise<MultikeyPair>;
  export function from(key: Record<string, unknown>): Promise<MultikeyPair>;
  export function fromRaw(options: { curve: 'P-256' | 'P-384'; secretKey?: Uint8Array; publicKey: Uint8Array }): Promise<MultikeyPair>;
}

declare module '@digitalbazaar/did-method-key' {
  export interface DidKeyDriver {
    use(options: { multibaseMultikeyHeader: string; fromMultibase: (key: { publicKeyMultibase: string }) => Promise<MultikeyPair> }): void;
    /** The DID document, or the verification method (with `@context`) for a DID URL with a fragment. */
    get(options: { did?: string; url?: string }): Promise<Record<string, unknown>>;
    fromKeyPair(options: { verificationKeyPair: MultikeyPair }): Promise<{ didDocument: { id: string; verificationMethod: { id: string }[] } & Record<string, unknown> }>;
  }
  export function driver(): DidKeyDriver;
}

declare module '@digitalbazaar/vc-bitstring-status-list' {
  export class BitstringStatusList {
    constructor(options: { length: number });
    readonly length: number;
    setStatus(index: number, status: boolean): void;
    getStatus(index: number): boolean;
    /** Multibase (`u`) base64url of the GZIP-compressed bitstring. */
    encode(): Promise<string>;
    static decode(options: { encodedList: string }): Promise<BitstringStatusList>;
  }
  /** Checks the status entries of a credential, fetching its status list credential through the loader. */
  export function checkStatus(options: {
    credential: Record<string, unknown>;
    documentLoader: import('@digitalbazaar/vc').DocumentLoader;
    suite: import('@digitalbazaar/vc').LinkedDataSuite | import('@digitalbazaar/vc').LinkedDataSuite[];
    verifyBitstringStatusListCredential?: boolean;
    verifyMatchingIssuers?: boolean;
  }): Promise<{ verified: boolean; error?: Error; results?: { verified: boolean; status: boolean }[] }>;
}

declare module '@digitalbazaar/security-document-loader' {
  import type { DocumentLoader } from '@digitalbazaar/vc';
  export interface SecurityLoader {
    addStatic(url: string, document: unknown): void;
    build(): DocumentLoader;
  }
  /** A loader with Digital Bazaar's bundled contexts and an Ed25519 (Ed25519VerificationKey2020) did:key resolver. */
  export function securityLoader(): SecurityLoader;
}

declare module '@digitalbazaar/ed25519-verification-key-2020' {
  export class Ed25519VerificationKey2020 {
    static generate(options?: { controller?: string; id?: string }): Promise<Ed25519VerificationKey2020>;
    id: string;
    controller: string;
    fingerprint(): string;
    signer(): import('@digitalbazaar/data-integrity').Signer;
  }
}
