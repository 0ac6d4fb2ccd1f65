import { CommonEnv, loadConfig, Port } from '@jetnotes/platform'

/** The command-service's configuration, from the environment (see README and .env). */
export const loadCommandConfig = (env: NodeJS.ProcessEnv = process.env) =>
  loadConfig({ ...CommonEnv, COMMAND_PORT: Port.default(8081) }, env)

export type CommandConfig = ReturnType<typeof loadCommandConfig>
