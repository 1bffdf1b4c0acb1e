import type { KitMount } from '@w3kit/core/testing';
import { createHostApp, MOUNT_PATH } from '@w3kit/example-mount-into-koa-app';

/** The kit inside the example's notes app, under `/identity`, with the recommended middleware order. */
export const hostMount: KitMount = {
  name: `in the notes app under ${MOUNT_PATH}`,
  mountPath: MOUNT_PATH,
  app(kit) {
    const app = createHostApp({ kit });
    app.silent = true;
    return app;
  },
};
