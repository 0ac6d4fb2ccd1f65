/** @jetnotes/testing: the one shared test harness (a real nats-server per test, in a temp dir). */
export { type NatsServerHandle, startNatsServer } from './nats-server.ts'
