export { loadServerConfig, EnvConfigError, type ServerConfig } from './env-config.js';
export { createStandaloneServer, standalonePlugins, type StandaloneServer } from './server.js';
