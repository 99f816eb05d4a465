'use strict';
// A latency histogram with fixed buckets: an observation is one comparison walk and two
// increments, so it can sit on a hot path; it is turned into numbers only when read.

/** Upper bounds in seconds, Prometheus' `le` labels. */
const BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

class Histogram {
  constructor() {
    this.counts = new Array(BUCKETS.length + 1).fill(0);
    this.sum = 0;
    this.count = 0;
  }

  /** Records one duration given in milliseconds. */
  observe(ms) {
    const s = ms / 1000;
    let i = 0;
    while (i < BUCKETS.length && s > BUCKETS[i]) i++;
    this.counts[i]++;
    this.sum += s;
    this.count++;
  }

  /** `{ buckets: [{ le, count }], sum, count }`: cumulative counts, `le` in seconds, `+Inf` last. */
  snapshot() {
    let acc = 0;
    const buckets = BUCKETS.map((le, i) => ({ le: String(le), count: (acc += this.counts[i]) }));
    buckets.push({ le: '+Inf', count: this.count });
    return { buckets, sum: this.sum, count: this.count };
  }
}

module.exports = { Histogram, BUCKETS };
