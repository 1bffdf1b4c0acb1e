import { auth, type AuthOptions } from '@w3kit/auth';
import { createKit, type CreateKitOptions, type Kit } from '@w3kit/core';
import { nft, type NftOptions } from '@w3kit/nft';

/** Where the host mounts the kit: every route and every URL the kit generates is under it. */
export const MOUNT_PATH = '/identity';

export interface ExampleKitOptions extends Omit<CreateKitOptions, 'plugins'> {
  auth?: AuthOptions;
  nft?: NftOptions;
}

/** The kit this host embeds: auth and nft, mounted at `/identity` (whatever `config.mountPath` says). */
export function createExampleKit({ auth: authOptions, nft: nftOptions, ...options }: ExampleKitOptions): Promise<Kit> {
  return createKit({ ...options, plugins: [auth(authOptions), nft(nftOptions)], config: { ...options.config, mountPath: MOUNT_PATH } });
}
