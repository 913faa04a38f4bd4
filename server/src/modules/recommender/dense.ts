/**
 * Small dense linear algebra over typed arrays (row-major): what the models need and no more.
 * d ≈ 32–64 for the factor solves; EASE inverts a head-sized Gram matrix (a few thousand).
 */

/** Solves A x = b for a symmetric positive definite A (d × d) by Cholesky; A and b are left untouched. */
export function solveSpd(a: Float64Array, b: Float64Array, d: number): Float64Array {
  const l = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * d + j]!;
      for (let k = 0; k < j; k++) s -= l[i * d + k]! * l[j * d + k]!;
      if (i === j) l[i * d + i] = Math.sqrt(Math.max(s, 1e-12));
      else l[i * d + j] = s / l[j * d + j]!;
    }
  }
  const y = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= l[i * d + k]! * y[k]!;
    y[i] = s / l[i * d + i]!;
  }
  const x = new Float64Array(d);
  for (let i = d - 1; i >= 0; i--) {
    let s = y[i]!;
    for (let k = i + 1; k < d; k++) s -= l[k * d + i]! * x[k]!;
    x[i] = s / l[i * d + i]!;
  }
  return x;
}

/**
 * Inverts a symmetric positive definite n × n matrix in place by the sweep operator (Gauss–Jordan
 * without pivoting, stable for SPD matrices), `block` pivots at a time: n³ multiply-adds like the
 * scalar form, but each row is read once per block instead of once per pivot, which is what makes
 * it fast (the scalar form is bound by memory bandwidth). `pause` lets a long inversion yield.
 */
export async function invertSpdInPlace(a: Float64Array, n: number, pause?: () => Promise<void>, block = 32): Promise<void> {
  for (let k0 = 0; k0 < n; k0 += block) {
    const b = Math.min(block, n - k0);
    const k1 = k0 + b;
    // The pivot block's inverse (scalar sweep on a b × b copy).
    const kinv = new Float64Array(b * b);
    for (let t = 0; t < b; t++) for (let s = 0; s < b; s++) kinv[t * b + s] = a[(k0 + t) * n + k0 + s]!;
    for (let k = 0; k < b; k++) {
      const inv = 1 / kinv[k * b + k]!;
      kinv[k * b + k] = 1;
      for (let j = 0; j < b; j++) kinv[k * b + j]! *= inv;
      for (let i = 0; i < b; i++) {
        if (i === k) continue;
        const f = kinv[i * b + k]!;
        kinv[i * b + k] = 0;
        for (let j = 0; j < b; j++) kinv[i * b + j]! -= f * kinv[k * b + j]!;
      }
    }
    // The pivot rows, swept: Kinv · A[K, :] (their K columns are handled apart, so zero here).
    const rows = new Float64Array(b * n);
    for (let t = 0; t < b; t++) {
      const rt = t * n;
      for (let s = 0; s < b; s++) {
        const f = kinv[t * b + s]!;
        const rs = (k0 + s) * n;
        for (let j = 0; j < n; j++) rows[rt + j]! += f * a[rs + j]!;
      }
      for (let j = k0; j < k1; j++) rows[rt + j] = 0;
    }
    const c = new Float64Array(b);
    for (let i = 0; i < n; i++) {
      if (i >= k0 && i < k1) continue;
      const ri = i * n;
      for (let t = 0; t < b; t++) c[t] = a[ri + k0 + t]!;
      for (let t = 0; t < b; t++) {
        const f = c[t]!;
        if (f === 0) continue;
        const rt = t * n;
        for (let j = 0; j < n; j++) a[ri + j]! -= f * rows[rt + j]!;
      }
      // A[i, K] ← −A[i, K] · Kinv
      for (let t = 0; t < b; t++) {
        let s = 0;
        for (let u = 0; u < b; u++) s += c[u]! * kinv[u * b + t]!;
        a[ri + k0 + t] = -s;
      }
    }
    for (let t = 0; t < b; t++) {
      const rt = t * n;
      const ri = (k0 + t) * n;
      for (let j = 0; j < n; j++) a[ri + j] = rows[rt + j]!;
      for (let s = 0; s < b; s++) a[ri + k0 + s] = kinv[t * b + s]!;
    }
    await pause?.();
  }
}
