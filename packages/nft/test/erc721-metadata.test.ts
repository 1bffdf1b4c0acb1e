/**
 * `GET /nft/:token_id/metadata` (docs/nft.md, "ERC-721 metadata"): what a marketplace or wallet
 * reads behind `token_uri`, for the fields the permission suite's one case leaves out.
 */
import assert from 'node:assert/strict';
import { testDatabases } from '@w3kit/core/testing';
import request from 'supertest';
import { type Actor, endUser, expectError, mint, organization, servedNftKit, staticMetadata } from './support.js';

for (const kind of testDatabases()) {
  describe(kind, () => {
    describe('nft erc721 metadata: the token_uri document', () => {
      const served = servedNftKit(kind);
      let minter: Actor;
      let holder: Actor;
      let domain: string;
      // every public view names the minter's verified domain beside the free-text issuer (docs/nft.md, "Who minted it")
      const minterAttribute = () => ({ trait_type: 'minter_verified_domain', value: domain });

      before(async () => {
        [minter, holder] = await Promise.all([organization(served.kit), endUser(served.kit)]);
        domain = (await served.kit.services.accountStore.findById(minter.accountId))!.domain!;
      });

      const metadataOf = async (dynamic: Record<string, unknown>) => {
        const t = await mint(served.app, minter, holder, { visibility: 'public', metadata: { static: staticMetadata(), dynamic } });
        const res = await request(served.app.callback()).get(`/rest/v1/nft/${t.token_id}/metadata`);
        assert.equal(res.status, 200, JSON.stringify(res.body));
        return res.body as Record<string, unknown>;
      };
      const BASE = {
        name: 'Bachelor of Science',
        description: 'Awarded for completing the programme.',
        image: 'https://acme.test/diploma.png',
        animation_url: 'https://acme.test/diploma.mp4',
      };

      it("without dynamic fields: external_url is the static link, no youtube_url or background_color, no attributes but the minter's domain", async () => {
        assert.deepEqual(await metadataOf({}), { ...BASE, external_url: 'https://acme.test/diploma', minter_verified_domain: domain, attributes: [minterAttribute()] });
      });

      it('youtube_url and a background_color without "#" pass through; every scalar (booleans too) is an attribute, objects and the listed fields are not', async () => {
        const body = await metadataOf({
          youtube_url: 'https://youtube.test/v/1',
          background_color: 'ffaa00',
          category: 'diploma',
          total_value: 3,
          honours: true,
          my_custom_key: { a: [1] },
          properties: { x: 1 },
          localization: { uri: 'https://acme.test/{locale}.json' },
        });
        assert.deepEqual(body, {
          ...BASE,
          external_url: 'https://acme.test/diploma',
          youtube_url: 'https://youtube.test/v/1',
          background_color: 'ffaa00',
          minter_verified_domain: domain,
          attributes: [{ trait_type: 'category', value: 'diploma' }, { trait_type: 'total_value', value: 3, display_type: 'number' }, { trait_type: 'honours', value: true }, minterAttribute()],
        });
      });

      it('a private token’s metadata is 404 NFT_NOT_FOUND, as an unknown one', async () => {
        const t = await mint(served.app, minter, holder, { visibility: 'private' });
        expectError(await request(served.app.callback()).get(`/rest/v1/nft/${t.token_id}/metadata`), 404, 'NFT_NOT_FOUND');
        expectError(await request(served.app.callback()).get(`/rest/v1/nft/0x${'ab'.repeat(32)}/metadata`), 404, 'NFT_NOT_FOUND');
      });
    });
  });
}
