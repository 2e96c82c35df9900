// How far a benchmark's median of per-round figures can be trusted. Rounds on a shared 2-core VM vary by ±0.2 in
// their ratio, so a median of a few rounds can land on either side of a target; the interval says when it has.

/**
 * A distribution-free confidence interval for the median of `values`: the k-th smallest and the k-th largest value,
 * with k the largest rank for which P(Binomial(n, ½) ≤ k − 1) ≤ (1 − confidence) / 2 (the order-statistic interval,
 * as in the tables of W. J. Conover, Practical Nonparametric Statistics). It assumes nothing of the rounds'
 * distribution, only that they are independent. Null when there are too few values for the confidence asked (fewer
 * than 6 at 95 %).
 *
 * @param {readonly number[]} values
 * @param {number} [confidence]
 * @returns {{ low: number; high: number; coverage: number } | null} `coverage` is the interval's actual confidence, at least `confidence`.
 */
export function medianInterval(values, confidence = 0.95) {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  const tail = (1 - confidence) / 2;
  // P(B ≤ j) for B ~ Binomial(n, ½), summed in log space so that no term underflows for large n.
  let logTerm = -n * Math.LN2;
  let cumulative = 0;
  let rank = 0;
  let tailBelowRank = 0;
  for (let j = 0; j < n; j += 1) {
    cumulative += Math.exp(logTerm);
    if (cumulative > tail) break;
    rank = j + 1;
    tailBelowRank = cumulative;
    logTerm += Math.log(n - j) - Math.log(j + 1);
  }
  if (rank === 0) return null;
  return { low: sorted[rank - 1], high: sorted[n - rank], coverage: 1 - 2 * tailBelowRank };
}
