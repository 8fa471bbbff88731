// Simulated time: integer nanoseconds held in a double (exact up to 2^53 ns ≈ 104 days).

export type SimTime = number;

export const ns = (n: number): SimTime => Math.round(n);
export const ms = (n: number): SimTime => Math.round(n * 1e6);
export const s = (n: number): SimTime => Math.round(n * 1e9);
