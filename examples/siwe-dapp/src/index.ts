export { startDappServer, type DappServer, type DappServerOptions } from './dapp-server.js';
