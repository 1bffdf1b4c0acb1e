export { createHostApp, HostError, type HostAppOptions, type HostState } from './host-app.js';
export { createExampleKit, MOUNT_PATH, type ExampleKitOptions } from './example-kit.js';
