import { checksumAddress, compileOnce, insertUnique, normalizeIdentifier, type AccountType, type DatabaseHandle, type Selectable } from '@w3kit/core';
import type { AccountPatch, AccountRecord, AccountStore, AssociationVia } from './account-store.js';
import { authErrors } from './errors.js';
import type { AuthTables } from './schema.js';

type Row = Selectable<AuthTables['auth_accounts']>;

function toRecord(row: Row): AccountRecord {
  return {
    id: row.id,
    accountType: row.account_type as AccountType,
    role: row.role,
    loginId: row.login_id,
    email: row.email,
    emailVerified: Boolean(row.email_verified),
    passwordHash: row.password_hash,
    name: row.name,
    phoneNumber: row.phone_number,
    phoneVerified: Boolean(row.phone_verified),
    imageUrl: row.image_url,
    claims: row.claims ? (JSON.parse(row.claims) as Record<string, unknown>) : {},
    domain: row.domain,
    domainVerified: Boolean(row.domain_verified),
    domainTxtToken: row.domain_txt_token,
    wallet:
      row.wallet_address && row.wallet_public_key && row.wallet_private_key
        ? {
            address: row.wallet_address,
            publicKey: row.wallet_public_key,
            encryptedPrivateKey: row.wallet_private_key,
            createdAt: new Date(Number(row.wallet_created_at)),
          }
        : null,
    createdAt: new Date(Number(row.created_at)),
    updatedAt: new Date(Number(row.updated_at)),
  };
}

/** The lookup key of a login id: its normalized form (the service refused any that has none). */
function loginKeyOf(loginId: string | null): string | null {
  if (loginId === null) return null;
  const check = normalizeIdentifier(loginId);
  if (!check.ok) throw new TypeError(`login id ${JSON.stringify(loginId)} ${check.problem}`);
  return check.identifier;
}

export function createKyselyAccountStore(database: DatabaseHandle): AccountStore {
  const db = database.db.withTables<AuthTables>();
  const findBy = async (column: 'login_key' | 'email' | 'wallet_address', value: string) => {
    const row = await db.selectFrom('auth_accounts').selectAll().where(column, '=', value).executeTakeFirst();
    return row ? toRecord(row) : null;
  };
  // The lookup behind nearly every authenticated request (my_info, every NFT call): compiled
  // once rather than built and compiled per call.
  const byId = compileOnce<'id', Row>((slot) => db.selectFrom('auth_accounts').selectAll().where('id', '=', slot<string>('id')));
  const findById = async (id: string) => {
    const { rows } = await db.executeQuery(byId({ id }));
    return rows[0] ? toRecord(rows[0]) : null;
  };

  return {
    async insert(a) {
      const inserted = await insertUnique(() =>
        db
          .insertInto('auth_accounts')
          .values({
            id: a.id,
            account_type: a.accountType,
            role: a.role,
            login_id: a.loginId,
            login_key: loginKeyOf(a.loginId),
            email: a.email,
            email_verified: a.emailVerified ? 1 : 0,
            password_hash: a.passwordHash,
            name: a.name,
            phone_number: a.phoneNumber,
            phone_verified: a.phoneVerified ? 1 : 0,
            image_url: a.imageUrl,
            claims: Object.keys(a.claims).length > 0 ? JSON.stringify(a.claims) : null,
            domain: a.domain,
            domain_verified: a.domainVerified ? 1 : 0,
            domain_txt_token: a.domainTxtToken,
            wallet_address: a.wallet ? checksumAddress(a.wallet.address) : null,
            wallet_public_key: a.wallet?.publicKey ?? null,
            wallet_private_key: a.wallet?.encryptedPrivateKey ?? null,
            wallet_created_at: a.wallet?.createdAt.getTime() ?? null,
            created_at: a.createdAt.getTime(),
            updated_at: a.updatedAt.getTime(),
          })
          .execute(),
      );
      if (!inserted) throw authErrors.create('ACCOUNT_EXISTS');
    },
    findById,
    async findByIds(ids) {
      if (ids.length === 0) return [];
      const rows = await db
        .selectFrom('auth_accounts')
        .selectAll()
        .where('id', 'in', [...ids])
        .execute();
      return rows.map(toRecord);
    },
    // Login ids and emails arrive normalized (normalizeIdentifier) and compare exactly: the
    // columns are binary on MySQL/MariaDB (migration 0002), as SQLite's are by default.
    findByLoginId: (normalizedLoginId) => findBy('login_key', normalizedLoginId),
    findByEmail: (email) => findBy('email', email),
    // Addresses are stored EIP-55 checksummed (read paths need no hashing); a lookup takes any
    // casing by checksumming the input first.
    findByWalletAddress: (address) => (/^0x[0-9a-fA-F]{40}$/.test(address) ? findBy('wallet_address', checksumAddress(address.toLowerCase())) : Promise.resolve(null)),
    async update(id, patch: AccountPatch, at) {
      await db
        .updateTable('auth_accounts')
        .set({
          ...(patch.name !== undefined ? { name: patch.name } : {}),
          ...(patch.phoneNumber !== undefined ? { phone_number: patch.phoneNumber } : {}),
          ...(patch.phoneVerified !== undefined ? { phone_verified: patch.phoneVerified ? 1 : 0 } : {}),
          ...(patch.passwordHash !== undefined ? { password_hash: patch.passwordHash } : {}),
          ...(patch.domainVerified !== undefined ? { domain_verified: patch.domainVerified ? 1 : 0 } : {}),
          ...(patch.domainTxtToken !== undefined ? { domain_txt_token: patch.domainTxtToken } : {}),
          ...(patch.emailVerified !== undefined ? { email_verified: patch.emailVerified ? 1 : 0 } : {}),
          updated_at: at.getTime(),
        })
        .where('id', '=', id)
        .execute();
    },
    async setWalletIfMissing(id, wallet, at) {
      const result = await db
        .updateTable('auth_accounts')
        .set({
          wallet_address: checksumAddress(wallet.address),
          wallet_public_key: wallet.publicKey,
          wallet_private_key: wallet.encryptedPrivateKey,
          wallet_created_at: wallet.createdAt.getTime(),
          updated_at: at.getTime(),
        })
        .where('id', '=', id)
        .where('wallet_address', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async setDomainTxtTokenIfMissing(id, token, at) {
      const result = await db.updateTable('auth_accounts').set({ domain_txt_token: token, updated_at: at.getTime() }).where('id', '=', id).where('domain_txt_token', 'is', null).executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async associate(organizationId, endUserId, via, at) {
      // false: already associated
      return insertUnique(() => db.insertInto('auth_associations').values({ organization_id: organizationId, end_user_id: endUserId, via, created_at: at.getTime() }).execute());
    },
    async isAssociated(organizationId, endUserId) {
      const row = await db.selectFrom('auth_associations').select('created_at').where('organization_id', '=', organizationId).where('end_user_id', '=', endUserId).executeTakeFirst();
      return row !== undefined;
    },
    async associationsOf(endUserId) {
      const rows = await db
        .selectFrom('auth_associations')
        .innerJoin('auth_accounts', 'auth_accounts.id', 'auth_associations.organization_id')
        .select(['auth_associations.organization_id', 'auth_associations.via', 'auth_associations.created_at', 'auth_accounts.name', 'auth_accounts.domain', 'auth_accounts.domain_verified'])
        .where('auth_associations.end_user_id', '=', endUserId)
        .orderBy('auth_associations.created_at')
        .orderBy('auth_associations.organization_id')
        .execute();
      return rows.map((row) => ({
        organizationId: row.organization_id,
        organizationName: row.name,
        domain: row.domain,
        domainVerified: Boolean(row.domain_verified),
        via: row.via as AssociationVia,
        createdAt: new Date(Number(row.created_at)),
      }));
    },
  };
}
