// Marathon's label selector for GET /v2/apps?label=...: "key", "key==value", "key!=value", "key in (a, b)",
// "key notin (a, b)", terms joined by "," (all must hold). Backslash escapes special characters in values.
export type LabelTerm =
  | { key: string; op: 'exists' }
  | { key: string; op: '==' | '!='; value: string }
  | { key: string; op: 'in' | 'notin'; values: string[] };

const unescape = (s: string) => s.trim().replace(/\\(.)/g, '$1');

/** Splits on commas outside parentheses and not escaped. */
function splitTerms(text: string): string[] {
  const out: string[] = [];
  let depth = 0; let cur = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && i + 1 < text.length) { cur += c + text[++i]; continue; }
    if (c === '(') depth++;
    if (c === ')') depth--;
    if (c === ',' && depth === 0) { out.push(cur); cur = ''; continue; }
    cur += c;
  }
  out.push(cur);
  return out.map((s) => s.trim()).filter(Boolean);
}

export function parseLabelSelector(text: string): { ok: true; terms: LabelTerm[] } | { ok: false; error: string } {
  const terms: LabelTerm[] = [];
  for (const term of splitTerms(text)) {
    let m = /^((?:\\.|[^\s=!])+)\s*(==|!=)\s*(.*)$/.exec(term);
    if (m) { terms.push({ key: unescape(m[1]!), op: m[2] as '==' | '!=', value: unescape(m[3]!) }); continue; }
    m = /^((?:\\.|[^\s(])+)\s+(in|notin)\s*\((.*)\)$/.exec(term);
    if (m) { terms.push({ key: unescape(m[1]!), op: m[2] as 'in' | 'notin', values: m[3]!.split(/(?<!\\),/).map(unescape) }); continue; }
    if (/^(?:\\.|[^\s=!(),])+$/.test(term)) { terms.push({ key: unescape(term), op: 'exists' }); continue; }
    return { ok: false, error: `can not parse '${term}'` };
  }
  return { ok: true, terms };
}

export function matchesLabelSelector(terms: LabelTerm[], labels: Record<string, string>): boolean {
  return terms.every((t) => {
    const v = labels[t.key];
    switch (t.op) {
      case 'exists': return v !== undefined;
      case '==': return v === t.value;
      case '!=': return v !== t.value;
      case 'in': return v !== undefined && t.values.includes(v);
      case 'notin': return v === undefined || !t.values.includes(v);
    }
  });
}
