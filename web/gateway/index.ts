/** @jetnotes/web: the web gateway, as `npm start` runs it and as tests start it. */
export { buildGatewayApp, type GatewayOptions } from './app.ts'
export { type GatewayConfig, loadGatewayConfig } from './config.ts'
export { sessionCookie } from './session-cookie.ts'
export { type RunningGateway, type StartGatewayOptions, startGateway } from './start-gateway.ts'
