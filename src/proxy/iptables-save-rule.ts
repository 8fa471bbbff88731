// One rule as `iptables-save` prints it, from the arguments kube-proxy wrote: the generic
// matches first in iptables' order (-s, -d, -i, -o, -p; iptables/iptables.c save_rule), host
// addresses with their /32, then each `-m` match with its options in the order the match's own
// save function prints them, then the target likewise. Each module's format is libxtables':
// strings quoted by xtables_save_string, --probability as libxt_statistic keeps it, MARK's
// --or-mark/--xor-mark saved as --set-xmark, REJECT with its default --reject-with.

interface Parsed {
  generic: Map<string, string>;
  matches: { name: string; args: string[] }[];
  target: string[];
}

/** Splits on spaces outside double quotes; quotes are removed (a quoted value is one token). */
export function tokenize(rule: string): string[] {
  const tokens: string[] = [];
  let cur = '';
  let quoted = false;
  let inToken = false;
  for (let i = 0; i < rule.length; i++) {
    const ch = rule[i];
    if (ch === '"') {
      quoted = !quoted;
      inToken = true;
    } else if (ch === '\\' && quoted && i + 1 < rule.length) {
      cur += rule[++i];
    } else if (ch === ' ' && !quoted) {
      if (inToken) tokens.push(cur);
      cur = '';
      inToken = false;
    } else {
      cur += ch;
      inToken = true;
    }
  }
  if (quoted) throw new Error(`iptables rule with an open quote: ${rule}`);
  if (inToken) tokens.push(cur);
  return tokens;
}

const GENERIC = ['-s', '-d', '-i', '-o', '-p'] as const;

function parse(tokens: readonly string[]): Parsed {
  const p: Parsed = { generic: new Map(), matches: [], target: [] };
  let negate = false;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t === '!') {
      negate = true;
      continue;
    }
    if ((GENERIC as readonly string[]).includes(t)) {
      p.generic.set(t, `${negate ? '! ' : ''}${t} ${tokens[++i]}`);
    } else if (t === '-m') {
      p.matches.push({ name: tokens[++i], args: [] });
    } else if (t === '-j') {
      p.target = tokens.slice(i + 1);
      break;
    } else {
      // A module option belongs to the last match opened (kube-proxy puts -d between -m tcp and --dport).
      const m = p.matches[p.matches.length - 1];
      if (m === undefined) throw new Error(`iptables option ${t} outside any match`);
      if (negate) m.args.push('!');
      m.args.push(t);
    }
    negate = false;
  }
  return p;
}

/** xtables_save_string: bare when only [A-Za-z0-9_-], else double-quoted with " \ ' escaped. */
export function saveString(value: string): string {
  if (/^[A-Za-z0-9_-]+$/.test(value)) return value;
  return `"${value.replace(/["\\']/g, (c) => `\\${c}`)}"`;
}

/**
 * libxt_statistic keeps the probability as lround(2^31 × p) and prints it back with "%.11f"
 * of that over 2^31 (statistic_parse, statistic_save).
 */
export function saveProbability(printed: string): string {
  return (Math.round(Number(printed) * 0x80000000) / 0x80000000).toFixed(11);
}

/** An address without a prefix length is a host: iptables prints it with /32. */
const withMask = (addr: string): string => (addr.includes('/') ? addr : `${addr}/32`);

/** The options after `name` as that match's save function prints them. */
function saveMatch(name: string, args: readonly string[]): string[] {
  const opt = (o: string): string | undefined => {
    const i = args.indexOf(o);
    return i >= 0 ? args[i + 1] : undefined;
  };
  switch (name) {
    case 'comment':
      return ['--comment', saveString(opt('--comment') ?? '')];
    case 'statistic':
      return ['--mode', 'random', '--probability', saveProbability(opt('--probability') ?? '0')];
    case 'recent': {
      // libxt_recent recent_save: the command, --seconds, --reap, --name, --mask, --rsource.
      const out = ['--rcheck', '--set', '--update', '--remove'].filter((c) => args.includes(c));
      const seconds = opt('--seconds');
      if (seconds !== undefined) out.push('--seconds', seconds);
      if (args.includes('--reap')) out.push('--reap');
      out.push('--name', opt('--name') ?? 'DEFAULT', '--mask', '255.255.255.255', '--rsource');
      return out;
    }
    default:
      return [...args];
  }
}

/** The target's save form: MARK as --set-xmark value/mask (libxt_MARK mark_tg_save), REJECT's default. */
function saveTarget(target: readonly string[]): string[] {
  const [name, ...args] = target;
  if (name === 'MARK' && args[0] === '--or-mark') return [name, '--set-xmark', `${args[1]}/${args[1]}`];
  if (name === 'MARK' && args[0] === '--xor-mark') return [name, '--set-xmark', `${args[1]}/0x0`];
  if (name === 'REJECT' && !args.includes('--reject-with')) return [name, '--reject-with', 'icmp-port-unreachable'];
  return [...target];
}

/** A rule's arguments (after `-A CHAIN`) as iptables-save prints them. */
export function saveRule(rule: string): string {
  const p = parse(tokenize(rule));
  const out: string[] = [];
  for (const g of GENERIC) {
    const v = p.generic.get(g);
    if (v === undefined) continue;
    const [neg, flag, value] = v.startsWith('! ') ? ['! ', ...v.slice(2).split(' ')] : ['', ...v.split(' ')];
    out.push(`${neg}${flag} ${flag === '-s' || flag === '-d' ? withMask(value) : value}`);
  }
  for (const m of p.matches) out.push('-m', m.name, ...saveMatch(m.name, m.args));
  if (p.target.length > 0) out.push('-j', ...saveTarget(p.target));
  return out.join(' ');
}
