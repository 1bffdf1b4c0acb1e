export { loadServerConfig, EnvConfigError, type ServerConfig } from './env-config.js';
export { createStandaloneServer, loadOptionalPlugins, standalonePlugins, type OptionalPlugins, type StandaloneServer } from './server.js';
