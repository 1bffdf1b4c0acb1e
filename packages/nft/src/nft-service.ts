import { createHash } from 'node:crypto';
import { checksumAddress, coreErrors, type AccountDirectory, type AccountSummary, type Clock, type KitUrls, type Ledger, type LedgerState, type Principal, type RandomSource } from '@w3kit/core';
import { nftErrors } from './errors.js';
import { distanceMeters, gpsPointOf, inAreaUnit, isInside, validAreaIssues, validAreaOf, type GpsInput } from './geofence.js';
import { metadataUrlIssues } from './metadata-urls.js';
import { canonicalJson, metadataHash, mintTypedData } from './minter-signature.js';
import type { ResolvedNftOptions } from './nft-config.js';
import type { NftMetadata, NftRecord, NftStore, PageRequest, SearchFilter, Visibility } from './nft-store.js';
import { erc721Metadata, toView, type NftView } from './nft-view.js';
import { qrCodePngDataUrl } from './qr-png.js';
import type { GpsPoint, VerificationStore } from './verification-store.js';

export const DEFAULT_EXPIRED_AT = '9999-12-31T23:59:59.000Z';

export interface MintInput {
  holderAddress: string;
  metadata: NftMetadata;
  visibility?: Visibility;
  /** The `Idempotency-Key` header: 1-128 printable ASCII characters; absent or empty: none. */
  idempotencyKey?: string;
}

export interface VerificationView {
  token_id: string;
  scanner_account_id: string;
  verified_at: string;
  scanner_gps: GpsPoint;
  holder_gps: GpsPoint;
}

/**
 * Every rule of credential NFTs: who may mint, see, list, search and toggle, and how a QR
 * verification runs. Routes only parse and call; authorization is decided here.
 */
export interface NftService {
  mint(principal: Principal, input: MintInput): Promise<NftView>;
  get(principal: Principal, tokenId: string): Promise<NftView>;
  listHeldBy(principal: Principal, address: string, page: PageRequest): Promise<NftView[]>;
  listMintedBy(principal: Principal, filter: SearchFilter, page: PageRequest): Promise<NftView[]>;
  searchPublic(filter: SearchFilter, page: PageRequest): Promise<NftView[]>;
  setVisibility(principal: Principal, tokenId: string, visibility: Visibility): Promise<Visibility>;
  publicMetadata(tokenId: string): Promise<Record<string, unknown>>;
  startVerification(principal: Principal, tokenId: string, holderGps: GpsInput): Promise<{ code: string; qr_code_base64: string }>;
  completeVerification(principal: Principal, code: string, scannerGps: GpsInput): Promise<{ token_id: string }>;
  verificationResult(principal: Principal, code: string): Promise<{ token_id: string | null }>;
  listVerifications(principal: Principal, tokenId: string): Promise<VerificationView[]>;
  /** The token's chain state (the status endpoint), to whoever may see the token; 404 without a chain. */
  chainStatus(principal: Principal, tokenId: string): Promise<LedgerState | null>;
}

export interface NftServiceDeps {
  nftStore: NftStore;
  nftVerificationStore: VerificationStore;
  accountDirectory: AccountDirectory;
  clock: Clock;
  random: RandomSource;
  options: ResolvedNftOptions;
  /** The chain credential NFTs are minted on, or null: database only (the default). */
  ledger?: Ledger | null;
  /** `publicUrl` + mount path + Web3Connect base path: token URIs hang off it. */
  /** The kit's URLs by name: `token_uri` is the URL of the `nft.metadata` route. */
  urls: KitUrls;
}

// printable ASCII without space, as RFC 9110 tokens and the common Idempotency-Key drafts use
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,128}$/;

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

export function createNftService(deps: NftServiceDeps): NftService {
  const { nftStore, nftVerificationStore, accountDirectory, clock, random, options } = deps;
  const domain = { name: options.signatureDomainName, chainId: options.chainId };
  const ledger = deps.ledger ?? null;
  if (ledger && !nftStore.transaction) throw new TypeError('nft(): a chain needs an NFT store with transaction() (the outbox row is written with the token)');

  /**
   * What a chain is told of a token: only a public one. A private token's id, holder and mint
   * would all be readable by anyone from the chain (ownerOf, the Transfer event), while the API
   * answers 404 to hide that it exists; so its mint waits until it is made public.
   */
  const onChain = (token: NftRecord) => ({
    tokenId: token.tokenId,
    owner: token.holderAddress,
    tokenUri: tokenUri(token.tokenId),
    expiresAt: token.expiredAt,
  });

  /** The minter's domain if it is verified: what the kit vouches for beside the free-text `issuer`. */
  const verifiedDomain = (minter: AccountSummary | null) => (minter?.domainVerified && minter.domain ? minter.domain : null);
  const verifiedDomainOf = async (minterAccountId: string) => verifiedDomain(await accountDirectory.get(minterAccountId));
  const tokenUri = (tokenId: string) => deps.urls.to('nft.metadata', { token_id: tokenId });

  /** Views of a page of tokens: one account read for all their minters (one read each was ten round trips on a page of ten). */
  async function views(tokens: NftRecord[]): Promise<NftView[]> {
    const minters = tokens.length === 0 ? [] : await accountDirectory.getMany([...new Set(tokens.map((t) => t.minterAccountId))]);
    const domains = new Map(minters.map((m) => [m.id, verifiedDomain(m)]));
    const chain = ledger ? await ledger.status(tokens.map((t) => t.tokenId)) : null;
    return tokens.map((t) => withChain(toView(t, tokenUri(t.tokenId), domains.get(t.minterAccountId) ?? null), chain));
  }
  /** The chain field, only when a chain is configured: without one the object stays the Web3Connect document's, byte for byte. */
  const withChain = (v: NftView, chain: Map<string, LedgerState> | null): NftView => (chain ? { ...v, chain: chain.get(v.token_id) ?? null } : v);
  const view = async (token: NftRecord) => (await views([token]))[0]!;
  const isParty = (p: Principal, t: NftRecord) => p.accountId === t.holderAccountId || p.accountId === t.minterAccountId;
  const canSee = (p: Principal, t: NftRecord) => t.visibility === 'public' || isParty(p, t);

  /** The token if the principal may see it; a private token of others is "not found", not "forbidden". */
  async function visible(principal: Principal, tokenId: string): Promise<NftRecord> {
    const token = await nftStore.findById(tokenId.toLowerCase());
    if (!token || !canSee(principal, token)) throw nftErrors.create('NFT_NOT_FOUND');
    return token;
  }

  /**
   * Claims the mint's Idempotency-Key: null when this request may mint, the first token when an
   * earlier request with the same key and body minted it. A claim whose token never appeared
   * within `idempotencyStaleSeconds` belonged to a mint that died; it is released by its token id
   * (so of two retries taking it over, one wins the new claim) and claimed once more.
   */
  async function claimIdempotencyKey(minterAccountId: string, key: string, requestHash: string, tokenId: string): Promise<NftRecord | null> {
    for (let attempt = 0; ; attempt++) {
      const claim = await nftStore.claimIdempotencyKey({ minterAccountId, key, requestHash, tokenId, at: clock.now() });
      if (claim.claimed) return null;
      if (claim.requestHash !== requestHash) throw nftErrors.create('IDEMPOTENCY_KEY_REUSED');
      const first = await nftStore.findById(claim.tokenId);
      if (first) return first;
      const stale = clock.now().getTime() - claim.claimedAt.getTime() >= options.idempotencyStaleSeconds * 1000;
      if (!stale || attempt > 0) throw nftErrors.create('IDEMPOTENCY_IN_PROGRESS', { headers: { 'retry-after': '1' } });
      await nftStore.releaseIdempotencyKey(minterAccountId, key, claim.tokenId);
    }
  }

  const requireOrganization = (principal: Principal) => {
    if (principal.accountType !== 'organization') throw nftErrors.create('ORGANIZATION_ONLY');
  };

  return {
    async mint(principal, input) {
      // the Web3Connect document's URL fields end up in wallets' links and images; the valid area must be readable
      const idempotencyKey = input.idempotencyKey || undefined;
      const keyIssues = idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey) ? [{ field: 'Idempotency-Key', message: 'must be 1-128 printable ASCII characters.' }] : [];
      const issues = [...keyIssues, ...metadataUrlIssues(input.metadata), ...validAreaIssues(input.metadata.dynamic)];
      if (issues.length > 0) throw coreErrors.create('VALIDATION_FAILED', { issues });
      requireOrganization(principal);
      const minter = await accountDirectory.get(principal.accountId);
      if (!minter?.domainVerified) throw nftErrors.create('DOMAIN_NOT_VERIFIED');
      const holder = await accountDirectory.findByWalletAddress(input.holderAddress);
      if (!holder || holder.accountType !== 'end_user' || !holder.walletAddress) throw nftErrors.create('HOLDER_NOT_FOUND');
      const visibility = input.visibility ?? options.defaultVisibility;
      const metadata: NftMetadata = {
        static: { ...input.metadata.static, expired_at: new Date(String(input.metadata.static['expired_at'] ?? DEFAULT_EXPIRED_AT)).toISOString() },
        dynamic: input.metadata.dynamic,
      };
      const tokenId = `0x${random.bytes(32).toString('hex')}`;

      if (idempotencyKey !== undefined) {
        const requestHash = `0x${sha256(canonicalJson({ holder: holder.walletAddress, metadata: input.metadata, visibility: input.visibility ?? null }))}`;
        const first = await claimIdempotencyKey(principal.accountId, idempotencyKey, requestHash, tokenId);
        if (first) return view(first);
      }

      try {
        // the summary read above names the wallet (set once, never replaced): no second read for it
        const minterAddress = minter.walletAddress ?? (await accountDirectory.walletOf(principal.accountId)).address;
        const createdAt = clock.now();
        const hash = metadataHash(metadata);
        const facts = { tokenId, holder: holder.walletAddress, minter: minterAddress, metadataHash: hash, createdAt: createdAt.toISOString() };
        const signature = await accountDirectory.signTypedData(principal.accountId, mintTypedData(domain, facts));
        const token: NftRecord = {
          tokenId,
          holderAddress: holder.walletAddress,
          holderAccountId: holder.id,
          minterAccountId: principal.accountId,
          minterAddress,
          visibility,
          createdAt,
          expiredAt: new Date(String(metadata.static['expired_at'])),
          metadata,
          metadataHash: hash,
          minterSignature: signature,
        };
        if (ledger && visibility === 'public') {
          // the outbox: the token and its chain job commit together, or neither does
          await nftStore.transaction!(async (store, within) => {
            await store.insert(token);
            await ledger.mint(within, onChain(token));
          });
        } else await nftStore.insert(token);
        const minted = toView(token, tokenUri(token.tokenId), minter.domain); // verified: checked above
        return ledger ? withChain(minted, await ledger.status([tokenId])) : minted;
      } catch (error) {
        if (idempotencyKey !== undefined) await nftStore.releaseIdempotencyKey(principal.accountId, idempotencyKey, tokenId);
        throw error;
      }
    },

    get: async (principal, tokenId) => view(await visible(principal, tokenId)),

    async listHeldBy(principal, address, page) {
      const holderAddress = checksumAddress(address.toLowerCase());
      // Is the requester the holder? Its own account is a primary-key read (a lookup by wallet
      // address would be a second index query on the hottest listing).
      const requester = await accountDirectory.get(principal.accountId);
      const scope =
        requester?.walletAddress === holderAddress
          ? ({ kind: 'all' } as const)
          : principal.accountType === 'organization'
            ? ({ kind: 'publicOrMintedBy', minterAccountId: principal.accountId } as const)
            : ({ kind: 'public' } as const);
      return views(await nftStore.listByHolder(holderAddress, scope, page));
    },

    async listMintedBy(principal, filter, page) {
      requireOrganization(principal);
      return views(await nftStore.listByMinter(principal.accountId, filter, page));
    },

    searchPublic: async (filter, page) => views(await nftStore.searchPublic(filter, page)),

    async setVisibility(principal, tokenId, visibility) {
      const token = await visible(principal, tokenId);
      if (!isParty(principal, token)) throw nftErrors.create('NOT_HOLDER_OR_MINTER');
      if (ledger && visibility === 'public') {
        // made public: now it may go on chain (a second publish finds its job and adds none)
        await nftStore.transaction!(async (store, within) => {
          await store.setVisibility(token.tokenId, visibility);
          await ledger.mint(within, onChain(token));
        });
      } else await nftStore.setVisibility(token.tokenId, visibility);
      return visibility;
    },

    async publicMetadata(tokenId) {
      const token = await nftStore.findById(tokenId.toLowerCase());
      if (!token || token.visibility !== 'public') throw nftErrors.create('NFT_NOT_FOUND');
      return erc721Metadata(token, await verifiedDomainOf(token.minterAccountId));
    },

    async startVerification(principal, tokenId, holderInput) {
      const holderGps = gpsPointOf(holderInput);
      const token = await visible(principal, tokenId);
      if (principal.accountId !== token.holderAccountId) throw nftErrors.create('NOT_HOLDER');
      const now = clock.now();
      if (token.expiredAt <= now) throw nftErrors.create('NFT_EXPIRED');
      const code = random.token(16); // 128 bits, URL-safe: it travels as ?c=<code>
      await nftVerificationStore.insertCode({
        codeHash: sha256(code),
        tokenId: token.tokenId,
        holderAccountId: principal.accountId,
        holderPosition: holderGps,
        createdAt: now,
        expiresAt: new Date(now.getTime() + options.qrCodeTtlSeconds * 1000),
        verifiedAt: null,
        scannerAccountId: null,
      });
      const qr_code_base64 = await qrCodePngDataUrl(code);
      return { code, qr_code_base64 };
    },

    async completeVerification(principal, code, scannerInput) {
      const scannerGps = gpsPointOf(scannerInput);
      const now = clock.now();
      const record = await nftVerificationStore.findCode(sha256(code));
      if (!record || record.verifiedAt !== null || record.expiresAt <= now) throw nftErrors.create('CODE_INVALID');
      // Scanning one's own code proves nothing to anyone: the point is a second party seeing the
      // holder. Refused unless the host allows it (a kiosk where the holder scans at a gate).
      if (principal.accountId === record.holderAccountId && !options.allowHolderSelfScan) throw nftErrors.create('HOLDER_SELF_SCAN');
      const token = await nftStore.findById(record.tokenId);
      if (!token) throw nftErrors.create('CODE_INVALID');
      if (token.expiredAt <= now) throw nftErrors.create('NFT_EXPIRED');
      const area = validAreaOf(token.metadata.dynamic);
      if (area) {
        // A failed check does not use the code up: the scanner may step inside and scan again.
        if (area.radiusMeters < 0) throw nftErrors.create('OUTSIDE_VALID_AREA', { message: 'The NFT’s valid area cannot be read, so no position is inside it.' });
        const circle = `the circle of ${area.radius} ${area.unit} around ${area.center.latitude}, ${area.center.longitude}`;
        // The holder's distance is not told: it would tell the scanner where the holder was.
        if (!isInside(area, record.holderPosition)) {
          throw nftErrors.create('OUTSIDE_VALID_AREA', {
            message: `The holder was outside the NFT’s valid area (${circle}) when the QR code was made.`,
            details: { valid_radius: area.radius, unit_of_length: area.unit },
          });
        }
        const distance = distanceMeters(area.center, scannerGps);
        if (distance > area.radiusMeters) {
          throw nftErrors.create('OUTSIDE_VALID_AREA', {
            message: `The scanner is ${inAreaUnit(area, distance)} ${area.unit} from the centre of the NFT’s valid area, ${circle}; scan from inside it.`,
            details: { valid_radius: area.radius, unit_of_length: area.unit, distance: inAreaUnit(area, distance) },
          });
        }
      }
      const verification = {
        id: random.uuid(),
        tokenId: token.tokenId,
        scannerAccountId: principal.accountId,
        verifiedAt: now,
        scannerPosition: scannerGps,
        holderPosition: record.holderPosition,
      };
      if (!(await nftVerificationStore.claimCode(record.codeHash, verification))) throw nftErrors.create('CODE_INVALID');
      return { token_id: token.tokenId };
    },

    async verificationResult(principal, code) {
      const record = await nftVerificationStore.findCode(sha256(code));
      // only the holder who made the code may poll it; to anyone else it does not exist
      if (!record || record.holderAccountId !== principal.accountId) throw nftErrors.create('CODE_INVALID');
      return { token_id: record.verifiedAt === null ? null : record.tokenId };
    },

    async chainStatus(principal, tokenId) {
      if (!ledger) throw nftErrors.create('CHAIN_NOT_CONFIGURED');
      const token = await visible(principal, tokenId);
      return (await ledger.status([token.tokenId])).get(token.tokenId) ?? null;
    },

    async listVerifications(principal, tokenId) {
      const token = await visible(principal, tokenId);
      if (principal.accountId !== token.minterAccountId) throw nftErrors.create('NOT_MINTER');
      const records = await nftVerificationStore.listVerifications(token.tokenId, 1000);
      return records.map((r) => ({
        token_id: r.tokenId,
        scanner_account_id: r.scannerAccountId,
        verified_at: r.verifiedAt.toISOString(),
        scanner_gps: r.scannerPosition,
        holder_gps: r.holderPosition,
      }));
    },
  };
}
