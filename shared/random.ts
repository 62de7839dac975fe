/**
 * Seeded pseudo-random numbers (xoshiro128**), so every generator and every shuffle in
 * slipwatch is reproducible from a seed on any platform. Math.random is never used for data.
 */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spareNormal: number | undefined;

  /** @param seed any integer; expanded with splitmix32 so nearby seeds give unrelated streams */
  constructor(seed: number) {
    if (!Number.isInteger(seed)) throw new RangeError(`Rng seed must be an integer, got ${seed}`);
    let x = seed >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** Next 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  uniform(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform in (0, 1]: safe for log(). */
  uniformPositive(): number {
    return (this.nextUint32() + 1) / 4294967296;
  }

  /** Uniform in [lo, hi). */
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.uniform();
  }

  /** Standard normal (Box-Muller, the second value cached). */
  normal(): number {
    if (this.spareNormal !== undefined) {
      const v = this.spareNormal;
      this.spareNormal = undefined;
      return v;
    }
    const r = Math.sqrt(-2 * Math.log(this.uniformPositive()));
    const phi = 2 * Math.PI * this.uniform();
    this.spareNormal = r * Math.sin(phi);
    return r * Math.cos(phi);
  }

  /** Poisson-distributed count with the given mean (Knuth for small means, normal beyond 30). */
  poisson(mean: number): number {
    if (!(mean >= 0)) throw new RangeError(`Poisson mean must be >= 0, got ${mean}`);
    if (mean === 0) return 0;
    if (mean > 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * this.normal()));
    const limit = Math.exp(-mean);
    let k = 0;
    let p = this.uniformPositive();
    while (p > limit) {
      k++;
      p *= this.uniformPositive();
    }
    return k;
  }

  /** A new independent generator derived from this one (for sub-streams that must not interleave). */
  fork(): Rng {
    return new Rng(this.nextUint32() | 0);
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
