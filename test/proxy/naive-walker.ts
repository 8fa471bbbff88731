// A deliberately naive iptables interpreter for tests: parses iptables-restore text and walks a
// packet rule by rule, so the compiled table can be checked against the rules a user would see.
// It shares no code with src/proxy beyond nothing: addresses, CIDRs, xt_recent and the
// statistic threshold are re-implemented here from the kernel's description.

export interface Packet {
  src: string;
  dst: string;
  dport: number;
  /** `--src-type LOCAL`: the source is one of the node's addresses (default false: an outside client). */
  srcLocal?: boolean;
  /**
   * `--dst-type LOCAL`: the destination is one of the node's addresses (default true: a nodePort
   * packet); false for a load-balancer IP or ClusterIP, which the node forwards, so a packet nat
   * leaves untranslated meets filter FORWARD's KUBE-PROXY-FIREWALL first.
   */
  dstLocal?: boolean;
}

/**
 * Decides one `statistic --mode random` rule from its kernel threshold T = lround(p · 2^31):
 * the rule matches when the draw, as a 31-bit integer, is below T.
 */
export type StatisticDraw = (threshold: number) => boolean;

/** The kernel's way: a fresh draw for every statistic rule (xt_statistic: (random & 0x7fffffff) < T). */
export const perRuleDraws =
  (random: () => number): StatisticDraw =>
  (threshold) =>
    Math.floor(random() * 2 ** 31) < threshold;

/**
 * The same chances from a single uniform u: a rule with probability p matches when u < p;
 * otherwise u, uniform on [p, 1), is rescaled to (u − p)/(1 − p), uniform on [0, 1) again, for
 * the next rule.
 */
export function oneDrawRescaled(u: number): StatisticDraw {
  let v = u;
  return (threshold) => {
    const p = threshold / 2 ** 31;
    if (v < p) return true;
    v = (v - p) / (1 - p);
    return false;
  };
}

export interface WalkResult {
  verdict: 'DNAT' | 'DROP' | 'REJECT' | 'NONE';
  target: string;
  rules: number;
  masquerade: boolean;
  chains: string[];
}

interface Rule {
  readonly text: string;
  readonly tokens: string[];
}

type Tables = Map<string, Map<string, Rule[]>>;

function tokenize(line: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line)) !== null) out.push(m[1] ?? m[2]);
  return out;
}

export function parseRestore(text: string): Tables {
  const tables: Tables = new Map();
  let current: Map<string, Rule[]> | null = null;
  for (const line of text.split('\n')) {
    if (line.startsWith('*')) tables.set(line.slice(1), (current = new Map()));
    else if (line.startsWith(':')) current?.set(line.slice(1).split(' ')[0], []);
    else if (line.startsWith('-A ')) {
      const tokens = tokenize(line);
      const chain = current?.get(tokens[1]);
      if (!chain) throw new Error(`rule for undeclared chain: ${line}`);
      chain.push({ text: line, tokens: tokens.slice(2) });
    }
  }
  return tables;
}

const ip = (s: string): number => s.split('.').reduce((a, o) => a * 256 + Number(o), 0);
function inNet(addr: string, net: string): boolean {
  const [base, bits = '32'] = net.split('/');
  const size = 2 ** (32 - Number(bits));
  return Math.floor(ip(addr) / size) === Math.floor(ip(base) / size);
}

/** xt_recent, re-implemented: per list name, source → last set time; 100 entries, LRU recycled. */
export class NaiveRecent {
  private readonly lists = new Map<string, { src: string; at: number }[]>();
  rcheck(name: string, src: string, nowNs: number, seconds: number, reap: boolean): boolean {
    const list = this.lists.get(name) ?? [];
    const i = list.findIndex((e) => e.src === src);
    if (i < 0) return false;
    const fresh = list[i].at >= nowNs - seconds * 1e9;
    if (!fresh && reap) list.splice(i, 1);
    return fresh;
  }
  set(name: string, src: string, nowNs: number): void {
    const list = this.lists.get(name) ?? [];
    this.lists.set(name, list);
    const i = list.findIndex((e) => e.src === src);
    if (i >= 0) list.splice(i, 1);
    else if (list.length >= 100) list.shift();
    list.push({ src, at: nowNs });
  }
}

export class NaiveWalker {
  private readonly tables: Tables;
  constructor(
    text: string,
    readonly recent = new NaiveRecent(),
  ) {
    this.tables = parseRestore(text);
  }

  /**
   * nat KUBE-SERVICES, then, for a packet nat left alone, the filter chain that judges it:
   * KUBE-EXTERNAL-SERVICES (INPUT, a packet to a node address) or KUBE-SERVICES (FORWARD and
   * OUTPUT, a packet to a ClusterIP).
   */
  walk(pkt: Packet, nowNs: number, statistic: StatisticDraw, filterChain = 'KUBE-EXTERNAL-SERVICES'): WalkResult {
    const res: WalkResult = { verdict: 'NONE', target: '', rules: 0, masquerade: false, chains: [] };
    const nat = this.tables.get('nat') as Map<string, Rule[]>;
    const filter = this.tables.get('filter') as Map<string, Rule[]>;
    if (this.runChain(nat, 'KUBE-SERVICES', pkt, nowNs, statistic, res) || res.verdict !== 'NONE') return res;
    if (pkt.dstLocal === false && this.runChain(filter, 'KUBE-PROXY-FIREWALL', pkt, nowNs, statistic, res)) return res;
    this.runChain(filter, filterChain, pkt, nowNs, statistic, res);
    return res;
  }

  /** Returns true when a terminating target ended the walk. */
  private runChain(table: Map<string, Rule[]>, name: string, pkt: Packet, now: number, statistic: StatisticDraw, res: WalkResult): boolean {
    const rules = table.get(name);
    if (!rules) throw new Error(`no chain ${name}`);
    res.chains.push(name);
    for (const rule of rules) {
      res.rules++;
      const t = rule.tokens;
      let matched = true;
      let target = '';
      let i = 0;
      let negate = false;
      const pending: (() => void)[] = [];
      while (i < t.length && matched) {
        const tok = t[i];
        if (tok === '!') {
          negate = true;
          i++;
          continue;
        }
        let ok = true;
        switch (tok) {
          case '-m':
            i += 2;
            continue;
          case '--comment':
          case '--nfacct-name':
          case '--mode':
            i += 2;
            continue;
          case '-p':
            ok = t[i + 1] === 'tcp';
            i += 2;
            break;
          case '-d':
            ok = inNet(pkt.dst, t[i + 1]);
            i += 2;
            break;
          case '-s':
            ok = inNet(pkt.src, t[i + 1]);
            i += 2;
            break;
          case '--dport':
            ok = Number(t[i + 1]) === pkt.dport;
            i += 2;
            break;
          case '--dst-type':
            ok = t[i + 1] === 'LOCAL' && (pkt.dstLocal ?? true);
            i += 2;
            break;
          case '--src-type':
            ok = t[i + 1] === 'LOCAL' && (pkt.srcLocal ?? false);
            i += 2;
            break;
          case '--probability': {
            // libxt_statistic stores lround(p * 2^31)
            ok = statistic(Math.round(parseFloat(t[i + 1]) * 2 ** 31));
            i += 2;
            break;
          }
          case '--name': {
            const list = t[i + 1];
            if (t[i + 2] === '--rcheck') {
              const seconds = Number(t[i + 4]);
              const reap = t[i + 5] === '--reap';
              ok = this.recent.rcheck(list, pkt.src, now, seconds, reap);
              i += reap ? 6 : 5;
            } else {
              pending.push(() => this.recent.set(list, pkt.src, now));
              i += 3;
            }
            break;
          }
          case '--mark':
            ok = res.masquerade; // "! --mark 0x4000/0x4000"
            i += 2;
            break;
          case '--ctstate':
            ok = true;
            i += 2;
            break;
          case '-j':
            target = t[i + 1];
            i = t.length;
            continue;
          default:
            throw new Error(`naive walker cannot read "${tok}" in: ${rule.text}`);
        }
        if (negate) ok = !ok;
        negate = false;
        matched = ok;
      }
      if (!matched) continue;
      for (const f of pending) f();
      switch (target) {
        case 'DNAT':
          res.verdict = 'DNAT';
          res.target = t[t.indexOf('--to-destination') + 1];
          return true;
        case 'DROP':
        case 'REJECT':
          res.verdict = target;
          res.chains.push(target);
          return true;
        case 'MARK':
          if (t.includes('--or-mark')) res.masquerade = true;
          break;
        case 'RETURN':
          return false;
        case 'ACCEPT':
          return true;
        case '':
          break; // a rule without a target (KUBE-FW's last, a comment): it matches and does nothing
        default:
          if (this.runChain(table, target, pkt, now, statistic, res)) return true;
      }
    }
    return false;
  }
}
