import type { ReactNode } from 'react';

/**
 * Text that people wrote: names, usernames, captions, bios, messages, comments. It is
 * bidi-isolated (a `<bdi>` whose direction comes from its own content), so a direction override
 * such as U+202E inside a name cannot reorder the text around it ("abc‮gnp.exe"), and it breaks
 * anywhere, so a 2,200-character word cannot make the page wider than the screen.
 *
 * Use it around every piece of people's text shown inline; for an element that holds nothing
 * but people's text (a caption paragraph, a bio, a message bubble), the `user-text` class alone
 * does the same.
 */
export function UserText({ children, className }: { children: ReactNode; className?: string }) {
  return <bdi className={className ? `user-text ${className}` : 'user-text'}>{children}</bdi>;
}

/**
 * People's text inside a plain string that cannot hold elements (the document title): wrapped in
 * FIRST STRONG ISOLATE … POP DIRECTIONAL ISOLATE, the characters that do what `<bdi>` does.
 */
export const isolated = (text: string) => `\u2068${text}\u2069`;
