export { CircuitBreaker } from './circuitBreaker.js'
export type {
  CircuitBreakerEvents,
  CircuitBreakerOptions,
  CircuitBreakerStats,
  CircuitState,
} from './circuitBreaker.js'
export { BrokenCircuitError, CallTimeoutError } from './errors.js'
