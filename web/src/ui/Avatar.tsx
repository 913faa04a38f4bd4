import { useState } from 'react';
import './avatar.css';

// Initials sit on one of these gradients, picked from the username so a person keeps their colour.
const GRADIENTS = [
  'linear-gradient(135deg, #6d3df2, #b03ad8)',
  'linear-gradient(135deg, #e0365f, #f08a30)',
  'linear-gradient(135deg, #0f7ad9, #2bb3c0)',
  'linear-gradient(135deg, #11865a, #5bbf3a)',
  'linear-gradient(135deg, #b4318f, #e0365f)',
  'linear-gradient(135deg, #3546c9, #6d3df2)',
  'linear-gradient(135deg, #c2410c, #d97706)',
];

function hash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) | 0;
  return Math.abs(h);
}

function initials(name: string): string {
  // Invisible format characters (direction overrides, joiners) are not letters to show.
  const words = name.replace(/\p{Cf}/gu, '').trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? [words[0]!, words[words.length - 1]!].map((w) => Array.from(w)[0]) : Array.from(words[0] ?? '?').slice(0, 1);
  return letters.join('').toUpperCase();
}

export interface AvatarProps {
  /** Whose avatar: the username keeps the fallback colour stable. */
  username: string;
  name: string;
  src: string | null | undefined;
  size?: number;
  ring?: boolean;
  /** Beside a visible name or inside a labelled control: hidden from screen readers. */
  decorative?: boolean;
}

/** A round avatar: the photo, or initials on a colour of the person's own when there is none (or it fails). */
export function Avatar({ username, name, src, size = 40, ring, decorative }: AvatarProps) {
  const [failed, setFailed] = useState<string | null>(null);
  const showImage = src && failed !== src;
  const style = { width: size, height: size, fontSize: Math.round(size * 0.4), ['--avatar-bg' as string]: GRADIENTS[hash(username) % GRADIENTS.length] };
  const className = `avatar${ring ? ' avatar--ring' : ''}`;
  const face = showImage ? (
    <img src={src} alt="" width={size} height={size} loading="lazy" decoding="async" onError={() => setFailed(src)} />
  ) : (
    <span aria-hidden="true">{initials(name || username)}</span>
  );
  if (decorative) {
    return (
      <span className={className} style={style} aria-hidden="true">
        {face}
      </span>
    );
  }
  return (
    <span className={className} style={style} role="img" aria-label={`${name}'s avatar`}>
      {face}
    </span>
  );
}
