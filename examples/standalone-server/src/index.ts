export { loadServerConfig, EnvConfigError, type ServerConfig } from './env-config.js';
export { createStandaloneServer, loadChainPlugin, standalonePlugins, type StandaloneServer } from './server.js';
