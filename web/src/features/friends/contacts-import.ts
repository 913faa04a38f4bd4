/**
 * Reads an address book exported as vCard (.vcf) or CSV in the browser: only phone numbers
 * and emails leave the device (the server hashes them); names and everything else stay here.
 */
export interface ImportedContact {
  kind: 'phone' | 'email';
  value: string;
}

const EMAIL = /^[^\s@,;<>"]+@[^\s@,;<>"]+\.[^\s@,;<>"]+$/;
// Digits with the usual separators, optionally a leading +; 6–20 digits in all.
const PHONE = /^\+?[\d\s().\-/]{6,30}$/;

function phoneLike(v: string): boolean {
  const digits = v.replace(/\D/g, '').length;
  return PHONE.test(v) && digits >= 6 && digits <= 20;
}

/** vCard 2.1/3.0/4.0: TEL and EMAIL properties, with folded lines and `tel:` URIs. */
export function parseVcf(text: string): ImportedContact[] {
  // Unfold continuation lines (RFC 6350 §3.2): a line starting with a space or tab continues the previous.
  const lines = text.replace(/\r\n/g, '\n').replace(/\n[ \t]/g, '').split('\n');
  const out: ImportedContact[] = [];
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    // "item1.TEL;TYPE=CELL" → "TEL"
    const name = line.slice(0, colon).split(';')[0]!.split('.').pop()!.toUpperCase();
    let value = line.slice(colon + 1).trim();
    if (name === 'TEL') {
      value = value.replace(/^tel:/i, '').split(';')[0]!.trim();
      if (phoneLike(value)) out.push({ kind: 'phone', value });
    } else if (name === 'EMAIL') {
      value = value.replace(/^mailto:/i, '');
      if (EMAIL.test(value)) out.push({ kind: 'email', value });
    }
  }
  return dedupe(out);
}

/** Splits one CSV line, honouring double quotes ("a, b" stays one cell; "" is a quote). */
function csvCells(line: string): string[] {
  const cells: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',' || ch === ';' || ch === '\t') {
      cells.push(cur);
      cur = '';
    } else cur += ch;
  }
  cells.push(cur);
  return cells.map((c) => c.trim());
}

/**
 * CSV exports (Google, Outlook, spreadsheets) name their columns differently, so every
 * cell is looked at: emails by shape, phones by shape in columns whose header mentions a
 * phone (or, without a header, any phone-shaped cell).
 */
export function parseCsv(text: string): ImportedContact[] {
  const rows = text.replace(/\r\n/g, '\n').split('\n').filter((l) => l.trim());
  if (rows.length === 0) return [];
  const header = csvCells(rows[0]!).map((h) => h.toLowerCase());
  const hasHeader = header.some((h) => /phone|mobile|tel|e-?mail|name/.test(h));
  const phoneColumns = new Set(header.flatMap((h, i) => (/phone|mobile|tel|cell/.test(h) ? [i] : [])));
  const out: ImportedContact[] = [];
  for (const row of hasHeader ? rows.slice(1) : rows) {
    csvCells(row).forEach((cell, i) => {
      for (const part of cell.split(/\s*:::\s*/)) {
        if (EMAIL.test(part)) out.push({ kind: 'email', value: part });
        else if ((!hasHeader || phoneColumns.has(i)) && phoneLike(part)) out.push({ kind: 'phone', value: part });
      }
    });
  }
  return dedupe(out);
}

/** Picks the parser by file name or content. */
export function parseContactsFile(name: string, text: string): ImportedContact[] {
  return /\.vcf$/i.test(name) || /BEGIN:VCARD/i.test(text) ? parseVcf(text) : parseCsv(text);
}

function dedupe(list: ImportedContact[]): ImportedContact[] {
  const seen = new Set<string>();
  return list.filter((c) => {
    const key = `${c.kind}:${c.kind === 'email' ? c.value.toLowerCase() : c.value.replace(/[^\d+]/g, '')}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The server takes at most this many contacts per call. */
export const CONTACTS_PER_UPLOAD = 2000;

export function inBatches<T>(list: T[], size = CONTACTS_PER_UPLOAD): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}
