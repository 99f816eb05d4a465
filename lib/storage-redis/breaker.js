'use strict';
// A circuit breaker for a store that can go away: after `threshold` consecutive failures it
// opens and calls fail at once without touching the network; after `cooldown` ms one call
// goes through as a probe, and its outcome closes the circuit or opens it again.

class CircuitBreaker {
  constructor({ threshold = 5, cooldown = 1000 } = {}) {
    if (!(threshold >= 1)) throw new TypeError('circuitBreaker.threshold must be >= 1');
    if (!(cooldown >= 0)) throw new TypeError('circuitBreaker.cooldown must be >= 0');
    this.threshold = threshold;
    this.cooldown = cooldown;
    this.failures = 0;
    this.state = 'closed';
    this.openUntil = 0;
  }

  /** Whether a call may go to the store now; in half-open state only one probe at a time. */
  allow() {
    if (this.state === 'closed') return true;
    if (this.state === 'open' && Date.now() >= this.openUntil) {
      this.state = 'half-open';
      return true;
    }
    return false;
  }

  success() {
    this.failures = 0;
    this.state = 'closed';
  }

  failure() {
    this.failures++;
    if (this.state === 'half-open' || this.failures >= this.threshold) {
      this.state = 'open';
      this.openUntil = Date.now() + this.cooldown;
    }
  }
}

module.exports = { CircuitBreaker };
