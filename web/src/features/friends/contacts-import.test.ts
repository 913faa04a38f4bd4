import { describe, expect, it } from 'vitest';
import { inBatches, parseContactsFile, parseCsv, parseVcf } from './contacts-import.ts';

describe('contacts import', () => {
  it('reads phones and emails from a vCard, with folded lines, groups and tel: URIs', () => {
    const vcf = [
      'BEGIN:VCARD',
      'VERSION:4.0',
      'FN:Carol Example',
      'TEL;TYPE=cell:+1 (201) 555-0123',
      'item1.EMAIL;TYPE=INTERNET:carol@exam',
      ' ple.com',
      'TEL;VALUE=uri:tel:+44-20-7183-8750',
      'NOTE:call me 555',
      'END:VCARD',
      'BEGIN:VCARD',
      'TEL:+1 201 555 0123',
      'END:VCARD',
    ].join('\r\n');
    expect(parseVcf(vcf)).toEqual([
      { kind: 'phone', value: '+1 (201) 555-0123' },
      { kind: 'email', value: 'carol@example.com' },
      { kind: 'phone', value: '+44-20-7183-8750' },
    ]);
  });

  it('reads a CSV export by header, quoted cells and multi-value cells', () => {
    const csv = 'Name,E-mail Address,Mobile Phone,Notes\n"Doe, Jane",jane@example.com,020 7183 8750,"born 1990"\nBob,,+1 201 555 0199 ::: +1 201 555 0100,\n';
    expect(parseCsv(csv)).toEqual([
      { kind: 'email', value: 'jane@example.com' },
      { kind: 'phone', value: '020 7183 8750' },
      { kind: 'phone', value: '+1 201 555 0199' },
      { kind: 'phone', value: '+1 201 555 0100' },
    ]);
    expect(parseContactsFile('book.csv', csv)).toHaveLength(4);
    expect(parseContactsFile('x.txt', 'BEGIN:VCARD\nEMAIL:a@b.co\nEND:VCARD')).toEqual([{ kind: 'email', value: 'a@b.co' }]);
  });

  it('batches uploads at the server limit', () => {
    expect(inBatches(Array.from({ length: 4001 }, (_, i) => i)).map((b) => b.length)).toEqual([2000, 2000, 1]);
  });
});
