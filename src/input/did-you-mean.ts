// "Did you mean …?" for a mistyped key or name: the candidate fewest edits away, where an edit
// is an insertion, a deletion, a substitution or a swap of two neighbours (optimal string
// alignment), since a swap (`rpelications`) is the commonest slip of a typing hand.

/** Edits between `a` and `b`, case-insensitive; a swap of two adjacent letters counts one. */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  // Three rows of the dynamic-programming table: two back for the swap, one back, this one.
  let before = new Array<number>(t.length + 1).fill(0);
  let previous = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const row = [i];
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let d = Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) d = Math.min(d, before[j - 2] + 1);
      row.push(d);
    }
    before = previous;
    previous = row;
  }
  return previous[t.length];
}

/**
 * The candidate closest to `word`: fewest edits, within a third of the word's length (at least
 * one), the first listed on a tie; else the first candidate the word begins (a cut-off name such
 * as `latency_p99` for `latency_p99_ms`); else null.
 */
export function didYouMean(word: string, candidates: readonly string[]): string | null {
  const limit = Math.max(1, Math.floor(word.length / 3));
  let best: string | null = null;
  let bestDistance = limit + 1;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  if (best !== null) return best;
  const lower = word.toLowerCase();
  return lower.length >= 3 ? (candidates.find((c) => c.toLowerCase().startsWith(lower)) ?? null) : null;
}
