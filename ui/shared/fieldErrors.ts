// Maps an API's error message to form fields, for APIs that name the field in the text rather than in structured
// details (Chronos: "cpus: Invalid input; name: must contain only letters..."). Messages that name no known field
// stay general (shown above the form).
export interface MessageRule { field: string; test: RegExp }

export function errorsByField(message: string, fields: readonly string[], rules: readonly MessageRule[] = []): { byField: Record<string, string>; general: string[] } {
  const byField: Record<string, string> = {};
  const general: string[] = [];
  for (const part of message.split(/;\s+/).map((p) => p.trim()).filter(Boolean)) {
    const named = /^([A-Za-z_][\w]*)(?:\.[\w.]+)?:\s*/.exec(part);
    let field = named && fields.includes(named[1]!) ? named[1]! : undefined;
    field ??= rules.find((r) => r.test.test(part))?.field;
    if (field) byField[field] = byField[field] ? `${byField[field]}; ${part}` : part;
    else general.push(part);
  }
  return { byField, general };
}
