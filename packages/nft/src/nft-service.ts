import { createHash } from 'node:crypto';
import { coreErrors, type AccountDirectory, type Clock, type KitUrls, type Principal, type RandomSource } from '@w3kit/core';
import { getAddress } from 'ethers';
import QRCode from 'qrcode';
import { nftErrors } from './errors.js';
import { isInside, validAreaIssues, validAreaOf } from './geofence.js';
import { metadataUrlIssues } from './metadata-urls.js';
import { canonicalJson, metadataHash, mintTypedData } from './minter-signature.js';
import type { ResolvedNftOptions } from './nft-config.js';
import type { NftMetadata, NftRecord, NftStore, PageRequest, SearchFilter, Visibility } from './nft-store.js';
import { erc721Metadata, toView, type NftView } from './nft-view.js';
import type { GpsPoint, VerificationStore } from './verification-store.js';

export const DEFAULT_EXPIRED_AT = '9999-12-31T23:59:59.000Z';

export interface MintInput {
  holderAddress: string;
  metadata: NftMetadata;
  visibility?: Visibility;
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
  startVerification(principal: Principal, tokenId: string, holderGps: GpsPoint): Promise<{ code: string; qr_code_base64: string }>;
  completeVerification(principal: Principal, code: string, scannerGps: GpsPoint): Promise<{ token_id: string }>;
  verificationResult(principal: Principal, code: string): Promise<{ token_id: string | null }>;
  listVerifications(principal: Principal, tokenId: string): Promise<VerificationView[]>;
}

export interface NftServiceDeps {
  nftStore: NftStore;
  verificationStore: VerificationStore;
  accountDirectory: AccountDirectory;
  clock: Clock;
  random: RandomSource;
  options: ResolvedNftOptions;
  /** `publicUrl` + mount path + Web3Connect base path: token URIs hang off it. */
  /** The kit's URLs by name: `token_uri` is the URL of the `nft.metadata` route. */
  urls: KitUrls;
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

export function createNftService(deps: NftServiceDeps): NftService {
  const { nftStore, verificationStore, accountDirectory, clock, random, options } = deps;
  const domain = { name: options.signatureDomainName, chainId: options.chainId };

  /** The minter's domain if it is verified: what the kit vouches for beside the free-text `issuer`. */
  async function verifiedDomainOf(minterAccountId: string): Promise<string | null> {
    const minter = await accountDirectory.get(minterAccountId);
    return minter?.domainVerified && minter.domain ? minter.domain : null;
  }
  /** Views of a page of tokens: one account read per distinct minter, not per token. */
  const tokenUri = (tokenId: string) => deps.urls.to('nft.metadata', { token_id: tokenId });

  async function views(tokens: NftRecord[]): Promise<NftView[]> {
    const minters = [...new Set(tokens.map((t) => t.minterAccountId))];
    const domains = new Map(await Promise.all(minters.map(async (id) => [id, await verifiedDomainOf(id)] as const)));
    return tokens.map((t) => toView(t, tokenUri(t.tokenId), domains.get(t.minterAccountId) ?? null));
  }
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
      // the seed's URL fields end up in wallets' links and images; the valid area must be readable
      const issues = [...metadataUrlIssues(input.metadata), ...validAreaIssues(input.metadata.dynamic)];
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

      if (input.idempotencyKey !== undefined) {
        const requestHash = `0x${sha256(canonicalJson({ holder: holder.walletAddress, metadata: input.metadata, visibility: input.visibility ?? null }))}`;
        const first = await claimIdempotencyKey(principal.accountId, input.idempotencyKey, requestHash, tokenId);
        if (first) return view(first);
      }

      try {
        const wallet = await accountDirectory.walletOf(principal.accountId);
        const createdAt = clock.now();
        const hash = metadataHash(metadata);
        const facts = { tokenId, holder: holder.walletAddress, minter: wallet.address, metadataHash: hash, createdAt: createdAt.toISOString() };
        const signature = await accountDirectory.signTypedData(principal.accountId, mintTypedData(domain, facts));
        const token: NftRecord = {
          tokenId,
          holderAddress: holder.walletAddress,
          holderAccountId: holder.id,
          minterAccountId: principal.accountId,
          minterAddress: wallet.address,
          visibility,
          createdAt,
          expiredAt: new Date(String(metadata.static['expired_at'])),
          metadata,
          metadataHash: hash,
          minterSignature: signature,
        };
        await nftStore.insert(token);
        return toView(token, tokenUri(token.tokenId), minter.domain); // verified: checked above
      } catch (error) {
        if (input.idempotencyKey !== undefined) await nftStore.releaseIdempotencyKey(principal.accountId, input.idempotencyKey, tokenId);
        throw error;
      }
    },

    get: async (principal, tokenId) => view(await visible(principal, tokenId)),

    async listHeldBy(principal, address, page) {
      const holderAddress = getAddress(address.toLowerCase());
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
      await nftStore.setVisibility(token.tokenId, visibility);
      return visibility;
    },

    async publicMetadata(tokenId) {
      const token = await nftStore.findById(tokenId.toLowerCase());
      if (!token || token.visibility !== 'public') throw nftErrors.create('NFT_NOT_FOUND');
      return erc721Metadata(token, await verifiedDomainOf(token.minterAccountId));
    },

    async startVerification(principal, tokenId, holderGps) {
      const token = await visible(principal, tokenId);
      if (principal.accountId !== token.holderAccountId) throw nftErrors.create('NOT_HOLDER');
      const now = clock.now();
      if (token.expiredAt <= now) throw nftErrors.create('NFT_EXPIRED');
      const code = random.token(16); // 128 bits, URL-safe: it travels as ?c=<code>
      await verificationStore.insertCode({
        codeHash: sha256(code),
        tokenId: token.tokenId,
        holderAccountId: principal.accountId,
        holderPosition: holderGps,
        createdAt: now,
        expiresAt: new Date(now.getTime() + options.qrCodeTtlSeconds * 1000),
        verifiedAt: null,
        scannerAccountId: null,
      });
      const qr_code_base64 = await QRCode.toDataURL(code, { errorCorrectionLevel: 'M', margin: 2, width: 320 });
      return { code, qr_code_base64 };
    },

    async completeVerification(principal, code, scannerGps) {
      const now = clock.now();
      const record = await verificationStore.findCode(sha256(code));
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
        if (!isInside(area, record.holderPosition)) throw nftErrors.create('OUTSIDE_VALID_AREA', { message: 'The holder was outside the NFT’s valid area when the QR code was made.' });
        if (!isInside(area, scannerGps)) throw nftErrors.create('OUTSIDE_VALID_AREA', { message: 'The scanner is outside the NFT’s valid area.' });
      }
      const verification = {
        id: random.uuid(),
        tokenId: token.tokenId,
        scannerAccountId: principal.accountId,
        verifiedAt: now,
        scannerPosition: scannerGps,
        holderPosition: record.holderPosition,
      };
      if (!(await verificationStore.claimCode(record.codeHash, verification))) throw nftErrors.create('CODE_INVALID');
      return { token_id: token.tokenId };
    },

    async verificationResult(principal, code) {
      const record = await verificationStore.findCode(sha256(code));
      // only the holder who made the code may poll it; to anyone else it does not exist
      if (!record || record.holderAccountId !== principal.accountId) throw nftErrors.create('CODE_INVALID');
      return { token_id: record.verifiedAt === null ? null : record.tokenId };
    },

    async listVerifications(principal, tokenId) {
      const token = await visible(principal, tokenId);
      if (principal.accountId !== token.minterAccountId) throw nftErrors.create('NOT_MINTER');
      const records = await verificationStore.listVerifications(token.tokenId, 1000);
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
