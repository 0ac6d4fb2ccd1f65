/** @jetnotes/command-service: what the system tests and the benchmark start in-process. */
export { buildCommandApp } from './app.ts'
export { type CommandConfig, loadCommandConfig } from './config.ts'
export { type CommandContext, openCommandContext } from './context.ts'
export { type CommandMetrics, commandMetrics } from './metrics.ts'
export type { SignInLimitSettings } from './users/sign-in-limits.ts'
